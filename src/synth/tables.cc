#include "synth/tables.h"

#include <array>

namespace consentric::synth {
namespace {

// Names are common in each country today, including the families that immigration made
// common there, so the data does not pretend a country is one heritage. A quarter of people
// are drawn from the pool of all countries (see generator.cc) for the same reason.

constexpr Name kDeFirst[] = {
    {"Lukas", "lukas"},         {"Anna", "anna"},      {"Maximilian", "maximilian"},
    {"Sophie", "sophie"},       {"Jonas", "jonas"},    {"Laura", "laura"},
    {"Felix", "felix"},         {"Lea", "lea"},        {"Tobias", "tobias"},
    {"Katharina", "katharina"}, {"Jürgen", "juergen"}, {"Sabine", "sabine"},
    {"Stefan", "stefan"},       {"Mehmet", "mehmet"},  {"Elif", "elif"},
    {"Niklas", "niklas"}};
constexpr Name kDeLast[] = {
    {"Müller", "mueller"},   {"Schmidt", "schmidt"}, {"Schneider", "schneider"},
    {"Fischer", "fischer"},  {"Weber", "weber"},     {"Meyer", "meyer"},
    {"Wagner", "wagner"},    {"Becker", "becker"},   {"Hoffmann", "hoffmann"},
    {"Schäfer", "schaefer"}, {"Koch", "koch"},       {"Richter", "richter"},
    {"Klein", "klein"},      {"Wolf", "wolf"},       {"Yılmaz", "yilmaz"},
    {"Neumann", "neumann"}};

constexpr Name kFrFirst[] = {
    {"Camille", "camille"}, {"Lucas", "lucas"},   {"Léa", "lea"},           {"Hugo", "hugo"},
    {"Manon", "manon"},     {"Louis", "louis"},   {"Chloé", "chloe"},       {"Thomas", "thomas"},
    {"Inès", "ines"},       {"Julien", "julien"}, {"Mathilde", "mathilde"}, {"Antoine", "antoine"},
    {"Yasmine", "yasmine"}, {"Karim", "karim"},   {"Élodie", "elodie"}};
constexpr Name kFrLast[] = {
    {"Martin", "martin"},   {"Bernard", "bernard"}, {"Dubois", "dubois"},     {"Robert", "robert"},
    {"Richard", "richard"}, {"Petit", "petit"},     {"Durand", "durand"},     {"Leroy", "leroy"},
    {"Moreau", "moreau"},   {"Lefèvre", "lefevre"}, {"Fournier", "fournier"}, {"Girard", "girard"},
    {"Benali", "benali"},   {"Nguyen", "nguyen"},   {"Mercier", "mercier"}};

constexpr Name kGbFirst[] = {
    {"Oliver", "oliver"},   {"Amelia", "amelia"}, {"Harry", "harry"}, {"Isla", "isla"},
    {"George", "george"},   {"Emily", "emily"},   {"Jack", "jack"},   {"Charlotte", "charlotte"},
    {"James", "james"},     {"Olivia", "olivia"}, {"Priya", "priya"}, {"Mohammed", "mohammed"},
    {"Siobhan", "siobhan"}, {"Callum", "callum"}, {"Grace", "grace"}};
constexpr Name kGbLast[] = {
    {"Smith", "smith"},       {"Jones", "jones"},   {"Taylor", "taylor"},  {"Brown", "brown"},
    {"Williams", "williams"}, {"Wilson", "wilson"}, {"Davies", "davies"},  {"Evans", "evans"},
    {"Patel", "patel"},       {"Khan", "khan"},     {"O'Brien", "obrien"}, {"Campbell", "campbell"},
    {"Hughes", "hughes"},     {"Clarke", "clarke"}, {"Okafor", "okafor"}};

constexpr Name kNlFirst[] = {{"Daan", "daan"},   {"Emma", "emma"},   {"Sem", "sem"},
                             {"Julia", "julia"}, {"Lars", "lars"},   {"Sanne", "sanne"},
                             {"Thijs", "thijs"}, {"Fleur", "fleur"}, {"Bram", "bram"},
                             {"Anouk", "anouk"}, {"Joris", "joris"}, {"Femke", "femke"},
                             {"Noor", "noor"},   {"Ruben", "ruben"}};
constexpr Name kNlLast[] = {{"de Jong", "dejong"},   {"Jansen", "jansen"},
                            {"de Vries", "devries"}, {"van den Berg", "vandenberg"},
                            {"van Dijk", "vandijk"}, {"Bakker", "bakker"},
                            {"Visser", "visser"},    {"Smit", "smit"},
                            {"Meijer", "meijer"},    {"de Boer", "deboer"},
                            {"Mulder", "mulder"},    {"Bos", "bos"},
                            {"Vos", "vos"},          {"Bouzid", "bouzid"}};

constexpr Name kEsFirst[] = {{"Lucía", "lucia"}, {"Martín", "martin"},       {"Sofía", "sofia"},
                             {"Pablo", "pablo"}, {"Carmen", "carmen"},       {"Javier", "javier"},
                             {"Elena", "elena"}, {"Alejandro", "alejandro"}, {"Marta", "marta"},
                             {"Diego", "diego"}, {"Paula", "paula"},         {"Sergio", "sergio"},
                             {"Nerea", "nerea"}, {"Álvaro", "alvaro"}};
constexpr Name kEsLast[] = {
    {"García", "garcia"},       {"Fernández", "fernandez"}, {"González", "gonzalez"},
    {"Rodríguez", "rodriguez"}, {"López", "lopez"},         {"Martínez", "martinez"},
    {"Sánchez", "sanchez"},     {"Pérez", "perez"},         {"Gómez", "gomez"},
    {"Ruiz", "ruiz"},           {"Díaz", "diaz"},           {"Moreno", "moreno"},
    {"Álvarez", "alvarez"},     {"Romero", "romero"},       {"Navarro", "navarro"}};

constexpr Name kItFirst[] = {{"Giulia", "giulia"},       {"Francesco", "francesco"},
                             {"Chiara", "chiara"},       {"Alessandro", "alessandro"},
                             {"Martina", "martina"},     {"Lorenzo", "lorenzo"},
                             {"Sara", "sara"},           {"Matteo", "matteo"},
                             {"Federica", "federica"},   {"Andrea", "andrea"},
                             {"Valentina", "valentina"}, {"Davide", "davide"},
                             {"Elisa", "elisa"},         {"Riccardo", "riccardo"}};
constexpr Name kItLast[] = {
    {"Rossi", "rossi"},     {"Russo", "russo"},    {"Ferrari", "ferrari"}, {"Esposito", "esposito"},
    {"Bianchi", "bianchi"}, {"Romano", "romano"},  {"Colombo", "colombo"}, {"Ricci", "ricci"},
    {"Marino", "marino"},   {"Greco", "greco"},    {"Bruno", "bruno"},     {"Gallo", "gallo"},
    {"Conti", "conti"},     {"De Luca", "deluca"}, {"Costa", "costa"}};

constexpr Name kSeFirst[] = {{"Erik", "erik"},     {"Astrid", "astrid"}, {"Oskar", "oskar"},
                             {"Maja", "maja"},     {"Elsa", "elsa"},     {"Johan", "johan"},
                             {"Ingrid", "ingrid"}, {"Axel", "axel"},     {"Linnea", "linnea"},
                             {"Nils", "nils"},     {"Saga", "saga"},     {"Björn", "bjorn"},
                             {"Freja", "freja"},   {"Amir", "amir"}};
constexpr Name kSeLast[] = {
    {"Andersson", "andersson"}, {"Johansson", "johansson"}, {"Karlsson", "karlsson"},
    {"Nilsson", "nilsson"},     {"Eriksson", "eriksson"},   {"Larsson", "larsson"},
    {"Olsson", "olsson"},       {"Persson", "persson"},     {"Svensson", "svensson"},
    {"Lindqvist", "lindqvist"}, {"Berg", "berg"},           {"Lindström", "lindstrom"},
    {"Ahmed", "ahmed"},         {"Åberg", "aberg"}};

// Polish surnames that do not change with gender, so any first name fits.
constexpr Name kPlFirst[] = {{"Jakub", "jakub"},           {"Zofia", "zofia"},
                             {"Kacper", "kacper"},         {"Piotr", "piotr"},
                             {"Agnieszka", "agnieszka"},   {"Tomasz", "tomasz"},
                             {"Katarzyna", "katarzyna"},   {"Michał", "michal"},
                             {"Magdalena", "magdalena"},   {"Łukasz", "lukasz"},
                             {"Aleksandra", "aleksandra"}, {"Paweł", "pawel"},
                             {"Natalia", "natalia"},       {"Olena", "olena"}};
constexpr Name kPlLast[] = {
    {"Nowak", "nowak"},         {"Wójcik", "wojcik"}, {"Kowalczyk", "kowalczyk"},
    {"Woźniak", "wozniak"},     {"Mazur", "mazur"},   {"Krawczyk", "krawczyk"},
    {"Kaczmarek", "kaczmarek"}, {"Zając", "zajac"},   {"Król", "krol"},
    {"Wieczorek", "wieczorek"}, {"Dudek", "dudek"},   {"Adamczyk", "adamczyk"},
    {"Pawlak", "pawlak"},       {"Sikora", "sikora"}, {"Walczak", "walczak"}};

constexpr Name kUsFirst[] = {{"Michael", "michael"},
                             {"Jennifer", "jennifer"},
                             {"David", "david"},
                             {"Jessica", "jessica"},
                             {"Christopher", "christopher"},
                             {"Ashley", "ashley"},
                             {"Daniel", "daniel"},
                             {"José", "jose"},
                             {"Maria", "maria"},
                             {"Tyler", "tyler"},
                             {"Brianna", "brianna"},
                             {"Kevin", "kevin"},
                             {"Mei", "mei"},
                             {"DeShawn", "deshawn"},
                             {"Aaliyah", "aaliyah"},
                             {"Rachel", "rachel"}};
constexpr Name kUsLast[] = {
    {"Johnson", "johnson"},     {"Miller", "miller"},         {"Davis", "davis"},
    {"Rodriguez", "rodriguez"}, {"Anderson", "anderson"},     {"Jackson", "jackson"},
    {"White", "white"},         {"Harris", "harris"},         {"Kim", "kim"},
    {"Chen", "chen"},           {"Washington", "washington"}, {"Thompson", "thompson"},
    {"Robinson", "robinson"},   {"Cohen", "cohen"},           {"Hernandez", "hernandez"},
    {"Yazzie", "yazzie"}};

constexpr Name kCaFirst[] = {{"Liam", "liam"},
                             {"Chloe", "chloe"},
                             {"Ethan", "ethan"},
                             {"Ava", "ava"},
                             {"Noah", "noah"},
                             {"Mathieu", "mathieu"},
                             {"Gabrielle", "gabrielle"},
                             {"Owen", "owen"},
                             {"Zoe", "zoe"},
                             {"Arjun", "arjun"},
                             {"Simran", "simran"},
                             {"Benjamin", "benjamin"},
                             {"Élise", "elise"},
                             {"Wei", "wei"}};
constexpr Name kCaLast[] = {{"Tremblay", "tremblay"},
                            {"Gagnon", "gagnon"},
                            {"Roy", "roy"},
                            {"Côté", "cote"},
                            {"Bouchard", "bouchard"},
                            {"Gauthier", "gauthier"},
                            {"MacDonald", "macdonald"},
                            {"Singh", "singh"},
                            {"Wong", "wong"},
                            {"Lee", "lee"},
                            {"Morin", "morin"},
                            {"Fraser", "fraser"},
                            {"Lavoie", "lavoie"},
                            {"Sharma", "sharma"}};

// Phone patterns use the numbers regulators reserve for drama where they exist (Ofcom's
// 0xx 496 0xxx / 020 7946 0xxx, NANP 555-01xx); elsewhere the digits are random.
constexpr City kDeCities[] = {{"Berlin", "+49 30 #######", 30},
                              {"München", "+49 89 #######", 22},
                              {"Hamburg", "+49 40 #######", 20},
                              {"Frankfurt am Main", "+49 69 #######", 15},
                              {"Köln", "+49 221 #######", 13}};
constexpr City kFrCities[] = {{"Paris", "+33 1 ## ## ## ##", 50},
                              {"Lyon", "+33 4 ## ## ## ##", 18},
                              {"Toulouse", "+33 5 ## ## ## ##", 12},
                              {"Lille", "+33 3 ## ## ## ##", 10},
                              {"Nantes", "+33 2 ## ## ## ##", 10}};
constexpr City kGbCities[] = {{"London", "+44 20 7946 0###", 55},
                              {"Manchester", "+44 161 496 0###", 15},
                              {"Birmingham", "+44 121 496 0###", 10},
                              {"Edinburgh", "+44 131 496 0###", 10},
                              {"Bristol", "+44 117 496 0###", 10}};
constexpr City kNlCities[] = {{"Amsterdam", "+31 20 ### ####", 45},
                              {"Rotterdam", "+31 10 ### ####", 20},
                              {"Utrecht", "+31 30 ### ####", 15},
                              {"Eindhoven", "+31 40 ### ####", 10},
                              {"Den Haag", "+31 70 ### ####", 10}};
constexpr City kEsCities[] = {{"Madrid", "+34 91 ### ## ##", 40},
                              {"Barcelona", "+34 93 ### ## ##", 35},
                              {"Valencia", "+34 96 ### ## ##", 10},
                              {"Sevilla", "+34 95 ### ## ##", 8},
                              {"Bilbao", "+34 94 ### ## ##", 7}};
constexpr City kItCities[] = {{"Milano", "+39 02 #### ####", 45},
                              {"Roma", "+39 06 #### ####", 25},
                              {"Torino", "+39 011 ### ####", 12},
                              {"Bologna", "+39 051 ### ####", 10},
                              {"Napoli", "+39 081 ### ####", 8}};
constexpr City kSeCities[] = {{"Stockholm", "+46 8 ### ### ##", 60},
                              {"Göteborg", "+46 31 ### ## ##", 20},
                              {"Malmö", "+46 40 ### ## ##", 12},
                              {"Uppsala", "+46 18 ### ## ##", 8}};
constexpr City kPlCities[] = {{"Warszawa", "+48 22 ### ## ##", 45},
                              {"Kraków", "+48 12 ### ## ##", 20},
                              {"Wrocław", "+48 71 ### ## ##", 15},
                              {"Gdańsk", "+48 58 ### ## ##", 10},
                              {"Poznań", "+48 61 ### ## ##", 10}};
constexpr City kUsCities[] = {
    {"New York", "+1 212 555 01##", 28}, {"San Francisco", "+1 415 555 01##", 20},
    {"Austin", "+1 512 555 01##", 14},   {"Chicago", "+1 312 555 01##", 14},
    {"Boston", "+1 617 555 01##", 12},   {"Seattle", "+1 206 555 01##", 12}};
constexpr City kCaCities[] = {{"Toronto", "+1 416 555 01##", 40},
                              {"Vancouver", "+1 604 555 01##", 20},
                              {"Montréal", "+1 514 555 01##", 20},
                              {"Calgary", "+1 403 555 01##", 10},
                              {"Ottawa", "+1 613 555 01##", 10}};

constexpr std::string_view kDeForms[] = {"GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG"};
constexpr std::string_view kFrForms[] = {"SAS", "SAS", "SA", "SARL"};
constexpr std::string_view kGbForms[] = {"Ltd", "Ltd", "Ltd", "PLC", "LLP"};
constexpr std::string_view kNlForms[] = {"B.V.", "B.V.", "B.V.", "N.V."};
constexpr std::string_view kEsForms[] = {"S.L.", "S.L.", "S.A."};
constexpr std::string_view kItForms[] = {"S.r.l.", "S.r.l.", "S.p.A."};
constexpr std::string_view kSeForms[] = {"AB"};
constexpr std::string_view kPlForms[] = {"sp. z o.o.", "sp. z o.o.", "S.A."};
// US and Canadian names often carry a comma before the form ("Bluepeak Analytics, Inc."),
// which is also what exercises CSV quoting.
constexpr std::string_view kUsForms[] = {"Inc.", ", Inc.", "LLC", "Corp."};
constexpr std::string_view kCaForms[] = {"Inc.", ", Inc.", "Ltd.", "Corp."};

constexpr Country kCountries[] = {
    {"DE", 22, Currency::kEur, kDeCities, kDeFirst, kDeLast, kDeForms, "postfach.test", 1},
    {"FR", 12, Currency::kEur, kFrCities, kFrFirst, kFrLast, kFrForms, "courriel.test", 1},
    {"GB", 14, Currency::kGbp, kGbCities, kGbFirst, kGbLast, kGbForms, "postbox.test", 0},
    {"NL", 6, Currency::kEur, kNlCities, kNlFirst, kNlLast, kNlForms, "postvak.test", 1},
    {"ES", 7, Currency::kEur, kEsCities, kEsFirst, kEsLast, kEsForms, "correo.test", 1},
    {"IT", 7, Currency::kEur, kItCities, kItFirst, kItLast, kItForms, "posta.test", 1},
    {"SE", 4, Currency::kEur, kSeCities, kSeFirst, kSeLast, kSeForms, "brevlada.test", 1},
    {"PL", 5, Currency::kEur, kPlCities, kPlFirst, kPlLast, kPlForms, "poczta.test", 1},
    {"US", 18, Currency::kUsd, kUsCities, kUsFirst, kUsLast, kUsForms, "mailbox.test", -6},
    {"CA", 5, Currency::kUsd, kCaCities, kCaFirst, kCaLast, kCaForms, "maple-mail.test", -5},
};

constexpr std::string_view kGlobalFreeMail[] = {"inbox.test", "webpost.test", "mailhub.test"};

constexpr std::string_view kJunior[] = {"Marketing Intern", "Working Student",
                                        "Junior Data Analyst", "Marketing Assistant",
                                        "Sales Trainee"};
constexpr std::string_view kIndividual[] = {"Data Analyst",
                                            "Marketing Specialist",
                                            "Software Engineer",
                                            "Business Analyst",
                                            "Account Executive",
                                            "Data Scientist",
                                            "Sales Development Representative",
                                            "Consultant",
                                            "Financial Analyst",
                                            "Marketing Operations Specialist",
                                            "Data Engineer",
                                            "Customer Success Manager"};
constexpr std::string_view kManager[] = {"Marketing Manager",
                                         "Product Manager",
                                         "Engineering Manager",
                                         "Sales Manager",
                                         "IT Manager",
                                         "CRM Manager",
                                         "Operations Manager",
                                         "Procurement Manager",
                                         "Data Protection Officer",
                                         "Growth Manager",
                                         "Demand Generation Manager"};
constexpr std::string_view kHead[] = {"Head of Marketing",
                                      "Head of Growth",
                                      "Head of Data",
                                      "Head of CRM",
                                      "Head of Operations",
                                      "VP of Marketing",
                                      "VP of Sales",
                                      "VP Engineering",
                                      "Director of IT",
                                      "Director of Customer Success",
                                      "Director, Data & Analytics",
                                      "Head of E-Commerce"};
constexpr std::string_view kExecutive[] = {
    "CEO", "CTO", "CFO", "CMO", "COO", "Chief Data Officer", "Managing Director", "Co-Founder"};

constexpr std::string_view kBrandHeads[] = {
    "Nord",  "Blue", "Alp",   "Silver", "Green", "Bright", "Clear", "Iron",   "Sun",    "Star",
    "Red",   "Oak",  "River", "Stone",  "Frost", "Amber",  "Coral", "Cobalt", "Polar",  "Swift",
    "True",  "High", "Deep",  "Wild",   "Bold",  "Golden", "Open",  "North",  "Maple",  "Cedar",
    "Vista", "Echo", "Lumen", "Terra",  "Nova",  "Aster",  "Birch", "Harbor", "Summit", "Ember"};
constexpr std::string_view kBrandTails[] = {
    "peak",  "wind",   "field", "gate",   "bridge", "stone", "wave", "light",
    "point", "path",   "line",  "spring", "forge",  "works", "bay",  "ridge",
    "leaf",  "stream", "haven", "crest",  "vale",   "mark",  "way",  "port",
    "ford",  "hill",   "brook", "view",   "side",   "shore", "fall", "dale"};

constexpr std::string_view kSoftwareNouns[] = {"Software", "Analytics", "Labs",        "Systems",
                                               "Cloud",    "Digital",   "Technologies"};
constexpr std::string_view kFinanceNouns[] = {"Capital",  "Finance",   "Payments",
                                              "Advisory", "Insurance", "Bank"};
constexpr std::string_view kHealthNouns[] = {"Health",  "Medical", "Care",
                                             "Clinics", "Pharma",  "Diagnostics"};
constexpr std::string_view kRetailNouns[] = {"Retail", "Stores",     "Commerce",
                                             "Market", "Outfitters", "Goods"};
constexpr std::string_view kManufacturingNouns[] = {"Manufacturing", "Industries", "Components",
                                                    "Machinery",     "Plastics",   "Engineering"};
constexpr std::string_view kEducationNouns[] = {"Academy", "Learning", "Education", "Institute",
                                                "Campus"};
constexpr std::string_view kMediaNouns[] = {"Media", "Studios", "Publishing", "Press",
                                            "Productions"};
constexpr std::string_view kLogisticsNouns[] = {"Logistics", "Freight", "Transport",
                                                "Shipping",  "Cargo",   "Supply"};
constexpr std::string_view kEnergyNouns[] = {"Energy",     "Power", "Solar",
                                             "Renewables", "Grid",  "Utilities"};
constexpr std::string_view kPublicNouns[] = {"Public Services", "Municipal Services",
                                             "Transit Authority", "Water Board",
                                             "Health Authority"};
constexpr std::span<const std::string_view> kIndustryNouns[kIndustryCount] = {
    kSoftwareNouns,  kFinanceNouns, kHealthNouns,    kRetailNouns, kManufacturingNouns,
    kEducationNouns, kMediaNouns,   kLogisticsNouns, kEnergyNouns, kPublicNouns};

constexpr std::string_view kSitePages[] = {"/",
                                           "/pricing",
                                           "/features",
                                           "/features/segmentation",
                                           "/features/lead-scoring",
                                           "/integrations",
                                           "/customers",
                                           "/security",
                                           "/blog/first-party-data-playbook",
                                           "/blog/consent-rates-benchmark",
                                           "/blog/rfm-for-b2b",
                                           "/blog/gdpr-and-lead-scoring",
                                           "/blog/k-anonymity-explained",
                                           "/about",
                                           "/careers"};
constexpr int kSitePageWeights[] = {18, 8, 10, 5, 5, 6, 5, 4, 8, 7, 6, 6, 4, 4, 4};
static_assert(std::size(kSitePages) == std::size(kSitePageWeights));

constexpr std::string_view kDocsPages[] = {"/docs/getting-started", "/docs/import",
                                           "/docs/segments",        "/docs/api",
                                           "/docs/consent-ledger",  "/docs/sso"};

constexpr std::string_view kCampaignThemes[] = {"newsletter",       "product-update",
                                                "case-study",       "webinar-invite",
                                                "benchmark-report", "customer-story"};
constexpr std::string_view kCampaignLinks[] = {"/pricing",
                                               "/features/lead-scoring",
                                               "/blog/consent-rates-benchmark",
                                               "/customers",
                                               "/webinars",
                                               "/demo"};

constexpr std::string_view kWebinarTitles[] = {"privacy-first-analytics-101",
                                               "lead-scoring-without-creepiness",
                                               "consent-by-design",
                                               "rfm-in-practice",
                                               "dpia-made-easy",
                                               "segmentation-masterclass",
                                               "first-party-data-after-cookies",
                                               "from-mql-to-revenue",
                                               "k-anonymity-for-marketers",
                                               "building-a-consent-ledger",
                                               "b2b-attribution-that-respects-privacy",
                                               "year-in-review"};

constexpr std::string_view kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36"};

constexpr std::string_view kFormNames[] = {
    "newsletter",   "whitepaper_download", "contact_sales",  "webinar_registration",
    "event_signup", "partner_referral",    "roi_calculator", "pricing_quote"};

}  // namespace

std::string_view to_string(Currency c) {
  switch (c) {
    case Currency::kEur:
      return "EUR";
    case Currency::kUsd:
      return "USD";
    case Currency::kGbp:
      return "GBP";
  }
  return "EUR";
}

std::span<const Country> countries() { return kCountries; }
std::span<const std::string_view> global_free_mail_domains() { return kGlobalFreeMail; }

std::span<const std::string_view> job_titles(Tier tier) {
  switch (tier) {
    case Tier::kJunior:
      return kJunior;
    case Tier::kIndividual:
      return kIndividual;
    case Tier::kManager:
      return kManager;
    case Tier::kHead:
      return kHead;
    case Tier::kExecutive:
      return kExecutive;
  }
  return kIndividual;
}

std::span<const std::string_view> brand_heads() { return kBrandHeads; }
std::span<const std::string_view> brand_tails() { return kBrandTails; }
std::span<const std::string_view> industry_nouns(int industry) { return kIndustryNouns[industry]; }

std::span<const std::string_view> site_pages() { return kSitePages; }
std::span<const int> site_page_weights() { return kSitePageWeights; }
std::span<const std::string_view> docs_pages() { return kDocsPages; }
std::span<const std::string_view> campaign_themes() { return kCampaignThemes; }
std::span<const std::string_view> campaign_links() { return kCampaignLinks; }
std::span<const std::string_view> webinar_titles() { return kWebinarTitles; }
std::span<const std::string_view> user_agents() { return kUserAgents; }

std::string_view to_string(Form f) { return kFormNames[static_cast<int>(f)]; }

}  // namespace consentric::synth
