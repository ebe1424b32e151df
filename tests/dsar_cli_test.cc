// The dsar commands end to end: the real binary on a small store of hand-made people.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::read_file;
using ::consentric::testing::run;
using ::testing::HasSubstr;
using ::testing::Not;

class DsarCli : public ::consentric::testing::StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    for (const char* who : {"ada@example.com", "bob@example.com"}) {
      const CommandRun r = at_store(std::string("consent grant ") + who +
                                    " --purpose email_marketing --time 2026-03-01T10:00:00Z");
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }
  // Whether the gate lets `purpose` process the person now (consent show).
  bool gate_open(const std::string& who, const std::string& purpose) const {
    const nlohmann::json j = json_of("consent show " + who);
    for (const auto& p : j["purposes"])
      if (p["purpose"] == purpose) return p["gate_open"].get<bool>();
    ADD_FAILURE() << "no purpose " << purpose;
    return false;
  }
};

TEST_F(DsarCli, OpenListShowExtendCloseExport) {
  CommandRun r = at_store("dsar open access ada@example.com --received 2026-01-31 --verified");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Request 1 (access) opened"));
  EXPECT_THAT(r.output, HasSubstr("2026-02-28T00:00:00Z"));  // one calendar month, clamped

  nlohmann::json j = json_of("dsar show 1");
  EXPECT_EQ(j["type"], "access");
  EXPECT_EQ(j["regime"], "gdpr");
  EXPECT_EQ(j["identifier_field"], "email");
  EXPECT_EQ(j["verified"], true);
  EXPECT_EQ(j["status"], "open");
  EXPECT_EQ(j["overdue"], true);  // long past by any clock this runs on

  r = at_store("dsar open access email=ada@example.com");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--request 1"));

  r = at_store("dsar open erasure bob@example.com --regime ccpa");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_of("dsar show 2")["overdue"], false);

  r = at_store("dsar list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("days overdue"));
  EXPECT_THAT(r.output, HasSubstr("days left"));
  j = json_of("dsar list --overdue");
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["request"], 1);
  EXPECT_EQ(json_of("dsar list --status open").size(), 2u);

  r = at_store("dsar extend 2 --reason 'records in three systems'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_of("dsar show 2")["extended"], true);
  r = at_store("dsar extend 2 --reason again");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("already extended"));

  r = at_store("dsar close 1 --status completed --evidence '{\"sent\":\"by email\"}'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("closed as completed"));
  j = json_of("dsar show 1");
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["evidence"]["sent"], "by email");
  EXPECT_TRUE(json_of("dsar list --overdue").empty());

  r = at_store("dsar export --out " + path("register.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = read_file(dir_ / "register.csv");
  EXPECT_EQ(csv.substr(0, csv.find(',')), "request_id");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_THAT(csv, Not(HasSubstr("@example.com")));

  r = at_store("audit log --action dsar.open");
  EXPECT_THAT(r.output, HasSubstr("dsar.open"));
  r = at_store("audit log");
  EXPECT_THAT(r.output, HasSubstr("dsar.extend"));
  EXPECT_THAT(r.output, HasSubstr("dsar.close"));
  EXPECT_THAT(r.output, HasSubstr("dsar.export"));
  EXPECT_EQ(at_store("audit verify").exit_code, 0);
}

TEST_F(DsarCli, UnknownPersonIsNoDataHeld) {
  CommandRun r = at_store("dsar open access nobody@example.com");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no data held"));
  EXPECT_EQ(json_of("dsar show 1")["status"], "no_data");
  r = at_store("dsar restrict nobody@example.com");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no data held"));
  r = at_store("audit log --action dsar.no_data");
  EXPECT_THAT(r.output, HasSubstr("dsar.no_data"));
}

TEST_F(DsarCli, RestrictAndObjectChangeWhatTheGateLetsThrough) {
  ASSERT_TRUE(gate_open("ada@example.com", "order_fulfilment"));
  CommandRun r = at_store("dsar restrict ada@example.com");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("restriction in force for every purpose"));
  EXPECT_FALSE(gate_open("ada@example.com", "order_fulfilment"));
  EXPECT_FALSE(gate_open("ada@example.com", "email_marketing"));
  EXPECT_TRUE(gate_open("bob@example.com", "order_fulfilment"));
  const nlohmann::json done = json_of("dsar show 1");
  EXPECT_EQ(done["type"], "restriction");
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["evidence"]["lifted"], false);

  r = at_store("dsar restrict ada@example.com --lift");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(gate_open("ada@example.com", "order_fulfilment"));
  r = at_store("dsar restrict ada@example.com --lift");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("nothing to lift"));

  // An objection under an open request: direct marketing stops absolutely (Art. 21(3)).
  r = at_store("--json dsar open objection bob@example.com");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto id = nlohmann::json::parse(r.output)["request"].get<std::int64_t>();
  r = at_store("dsar object bob@example.com --request " + std::to_string(id));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(gate_open("bob@example.com", "email_marketing"));
  EXPECT_FALSE(gate_open("bob@example.com", "lead_scoring"));
  EXPECT_TRUE(gate_open("bob@example.com", "order_fulfilment"));
  EXPECT_EQ(json_of("dsar show " + std::to_string(id))["status"], "completed");

  r = at_store("dsar object ada@example.com --purpose lead_scoring");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(gate_open("ada@example.com", "lead_scoring"));
  EXPECT_TRUE(gate_open("ada@example.com", "email_marketing"));
}

TEST_F(DsarCli, ErrorsNameTheProblemWithExitCodeOne) {
  CommandRun r = at_store("dsar open rectify ada@example.com");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("expected access, portability"));
  r = at_store("dsar open access ada@example.com --regime lgpd");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("expected gdpr or ccpa"));
  r = at_store("dsar open access ada@example.com --received 2999-01-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("future"));
  r = at_store("dsar show 42");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("no request 42"));
  r = at_store("dsar extend 42 --reason x");
  EXPECT_EQ(r.exit_code, 1);
  r = at_store("dsar extend 1");
  EXPECT_EQ(r.exit_code, 1);  // --reason is required
  r = at_store("dsar close 1 --status completed");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("no request 1"));

  ASSERT_EQ(at_store("dsar open access ada@example.com").exit_code, 0);
  r = at_store("dsar close 1 --status done");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("completed or refused"));
  r = at_store("dsar close 1 --status refused --evidence 'not json'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("JSON object"));
  r = at_store("dsar list --status pending");
  EXPECT_EQ(r.exit_code, 1);
  r = at_store("dsar restrict ada@example.com --request 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("not restriction"));
  r = at_store("dsar object ada@example.com --purpose segmentation");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("withdraw consent"));
  r = at_store("dsar export --out " + path("no/such/dir/r.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("cannot be written"));
  EXPECT_EQ(json_of("dsar list").size(), 1u);  // the failures recorded nothing
}

TEST_F(DsarCli, RectifyCorrectsValuesAndSaysWhatChanged) {
  ::consentric::testing::write_file(dir_ / "people.csv",
                                    "customer_id,email,last_name,country,age\n"
                                    "C-1,ada@example.com,Lovelace,DE,36\n"
                                    "C-2,bob@example.com,Builder,FR,41\n");
  CommandRun r = at_store("-q import profiles " + path("people.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = at_store("segment create germans --purpose lead_scoring --rule \"country = 'DE'\"");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  r = at_store("dsar rectify ada@example.com country=FR last_name='Lovelace King' age=36");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Request 1 (rectification) completed: rectified country, "
                                  "last_name"));
  EXPECT_THAT(r.output, HasSubstr("unchanged (already held that value): age"));
  EXPECT_THAT(r.output, HasSubstr("germans"));
  EXPECT_THAT(r.output, Not(HasSubstr("King")));
  nlohmann::json j = json_of("dsar show 1");
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["evidence"]["fields"], nlohmann::json({"country", "last_name"}));
  EXPECT_EQ(j["evidence"]["segments_to_refresh"], nlohmann::json({"germans"}));

  // A new email: the old one no longer finds the person, the new one does.
  j = json_of("dsar rectify ada@example.com email=ada.king@example.com");
  EXPECT_EQ(j["changed"], nlohmann::json({"email"}));
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(json_of("dsar open access ada@example.com")["status"], "no_data");
  EXPECT_EQ(json_of("dsar open access ada.king@example.com")["status"], "open");

  // Bad values and clashes are refused with exit 1 and change nothing.
  r = at_store("dsar rectify bob@example.com age=7 country=XX");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("field \"age\": expected an integer between 16 and 100"));
  EXPECT_THAT(r.output, HasSubstr("field \"country\": expected one of"));
  r = at_store("dsar rectify bob@example.com email=ada.king@example.com");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("already identifies another person"));
  r = at_store("dsar rectify bob@example.com age");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("expected FIELD=VALUE"));
  r = at_store("dsar rectify bob@example.com");
  EXPECT_EQ(r.exit_code, 1);  // at least one FIELD=VALUE is required
  r = at_store("dsar rectify bob@example.com age=50 --regime lgpd");
  EXPECT_EQ(r.exit_code, 1);

  // Under an open request.
  j = json_of("dsar open rectification bob@example.com");
  const auto id = j["request"].get<std::int64_t>();
  r = at_store("dsar rectify bob@example.com age=42");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--request " + std::to_string(id)));
  r = at_store("dsar rectify bob@example.com age=42 --request " + std::to_string(id));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_of("dsar show " + std::to_string(id))["status"], "completed");

  r = at_store("dsar rectify nobody@example.com age=30");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no data held"));

  r = at_store("audit log --action subject.rectify");
  EXPECT_THAT(r.output, HasSubstr("subject.rectify"));
  EXPECT_THAT(r.output, Not(HasSubstr("Lovelace")));
  EXPECT_THAT(r.output, Not(HasSubstr("ada@")));
  EXPECT_EQ(at_store("audit verify").exit_code, 0);
}

// --- erasure, receipts, backup and restore --------------------------------------------------

class ErasureCli : public ::consentric::testing::StoreCliTest {};

TEST_F(ErasureCli, EraseWritesAReceiptThatVerifiesAndAReimportIsRefused) {
  import_generated(200, 5, {"profiles", "events", "consents"});
  const std::string profiles = read_file(path("data") + "/profiles.csv");
  const std::size_t line2 = profiles.find('\n') + 1;
  const std::string id = profiles.substr(line2, profiles.find(',', line2) - line2);  // C00000001

  CommandRun r = at_store("backup " + path("before.db"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no keys in it"));

  r = at_store("dsar erase customer_id=" + id + " --receipt " + path("receipt.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("data key destroyed"));
  EXPECT_THAT(r.output, HasSubstr("events: "));

  r = at_store("receipt verify " + path("receipt.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("valid (Ed25519)"));
  EXPECT_THAT(r.output, HasSubstr("its audit chain records the erasure"));

  // An altered receipt fails, with or without the store.
  std::string receipt = read_file(path("receipt.json"));
  const std::size_t pos = receipt.find("\"profiles\": 1");
  ASSERT_NE(pos, std::string::npos);
  receipt.replace(pos, 13, "\"profiles\": 0");
  ::consentric::testing::write_file(path("altered.json"), receipt);
  r = run("receipt verify " + path("altered.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("signature does not hold"));

  // Erased again: no data held. Re-imported: refused and counted.
  r = at_store("dsar erase customer_id=" + id);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no data held"));
  r = at_store("import profiles " + path("data") + "/profiles.csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("1 refused (erased people)"));

  // The backup from before comes back without them.
  r = at_store("restore " + path("before.db"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("1 erasure recorded since the backup re-applied"));
  EXPECT_EQ(json_of("status")["subjects"], 199);
  r = at_store("consent show customer_id=" + id);
  EXPECT_EQ(r.exit_code, 1);
  r = at_store("audit verify");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(ErasureCli, BulkErasureFromAFileWithOneReceiptEach) {
  import_generated(50, 6, {"profiles"});
  ::consentric::testing::write_file(path("ids.txt"),
                                    "# people who asked\ncustomer_id=C00000001\n"
                                    "customer_id=C00000002\n\nnobody@example.com\n");
  const nlohmann::json j =
      json_of("dsar erase --from " + path("ids.txt") + " --receipts " + path("receipts"));
  ASSERT_EQ(j["erased"].size(), 2u);
  ASSERT_EQ(j["no_data"].size(), 1u);
  for (const auto& e : j["erased"]) {
    const std::string file = e["receipt_file"];
    EXPECT_EQ(at_store("receipt verify " + file).exit_code, 0) << file;
  }
  EXPECT_EQ(json_of("status")["subjects"], 48);
  // --receipt is for one person; several need --receipts.
  const CommandRun r = at_store("dsar erase customer_id=C00000003 customer_id=C00000004 --receipt " +
                                path("one.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--receipts DIR"));
}

// ---- Anonymization instead of deletion (issue 5) ------------------------------------------

// A store whose declaration says `erasure: anonymize` (the quickstart otherwise).
class AnonymizeCli : public ::consentric::testing::StoreCliTest {
 protected:
  void SetUp() override {
    ::consentric::testing::write_file(
        dir_ / "anonymize.yaml",
        std::string(::consentric::synth::quickstart_config_yaml()) + "\nerasure: anonymize\n");
    const CommandRun r = run("init " + store() + " --config " + path("anonymize.yaml"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ::consentric::testing::write_file(dir_ / "people.csv",
                                      "customer_id,email,city\n"
                                      "C-1,ada@example.com,Zanzibarville\n"
                                      "C-2,bob@example.com,Leeds\n");
    ::consentric::testing::write_file(
        dir_ / "events.ndjson",
        R"({"customer_id":"C-1","type":"page_view","time":"2026-03-01T10:00:00Z","properties":{"page":"/a"}})"
        "\n"
        R"({"customer_id":"C-1","type":"page_view","time":"2026-03-02T10:00:00Z","properties":{"page":"/b"}})"
        "\n"
        R"({"customer_id":"C-2","type":"page_view","time":"2026-03-03T10:00:00Z","properties":{"page":"/c"}})"
        "\n");
    CommandRun imported = at_store("-q import profiles " + path("people.csv"));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    imported = at_store("-q import events " + path("events.ndjson"));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
  }
};

TEST_F(AnonymizeCli, EraseKeepsTheEventsAnonymouslyAndTheReceiptSaysSo) {
  nlohmann::json j = json_of("dsar erase ada@example.com --receipt " + path("ada.json"));
  ASSERT_EQ(j["erased"].size(), 1u) << j.dump();
  EXPECT_EQ(j["erased"][0]["method"], "anonymize");
  EXPECT_EQ(j["erased"][0]["kept_anonymously"]["events"], 2);
  EXPECT_EQ(j["erased"][0]["removed"]["events"], 0);
  EXPECT_EQ(j["erased"][0]["receipt"]["body"]["method"], "anonymize");

  // The store's counts of so few people are below k: status does not show them.
  j = json_of("status");
  EXPECT_TRUE(j["events"].is_null());
  EXPECT_TRUE(j["subjects"].is_null());
  EXPECT_TRUE(j["anonymous"].is_null());
  EXPECT_EQ(j["k"], 10);
  EXPECT_EQ(json_of("dsar open access ada@example.com")["status"], "no_data");

  CommandRun r = at_store("dsar erase bob@example.com");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("anonymized (erasure: anonymize)"));
  EXPECT_THAT(r.output, HasSubstr("events: 1"));

  r = at_store("receipt verify " + path("ada.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("anonymize"));
  EXPECT_THAT(r.output, HasSubstr("kept anonymously"));
  EXPECT_EQ(json_of("receipt verify " + path("ada.json"))["method"], "anonymize");
  EXPECT_THAT(read_file(dir_ / "ada.json"), Not(HasSubstr("Zanzibarville")));
}

}  // namespace
}  // namespace consentric
