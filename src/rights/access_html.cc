// The access report as one HTML page for the person it is about (GDPR Art. 12(1): "concise,
// transparent, intelligible and easily accessible form, using clear and plain language").
// Self-contained: inline CSS, no script, no outside resource, so it opens anywhere offline.
// Every value from the store or the declaration goes through html_escape.

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "rights/access_report.h"
#include "rights/subject_data.h"

namespace consentric::rights {
namespace {

using nlohmann::json;

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232a;
       max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 2px solid #d8dee4; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
p.lead { color: #4a5560; margin-top: 0; }
p.note { color: #4a5560; font-size: .95rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #e3e8ec; }
th { background: #f3f5f7; font-weight: 600; }
td.wrap { word-break: break-word; }
.yes { color: #13653a; font-weight: 600; }
.no { color: #9a2a12; font-weight: 600; }
footer { margin-top: 3rem; color: #4a5560; font-size: .9rem; }
)css";

// A value as a person reads it: text as is, yes/no, numbers, "—" for nothing.
std::string text_of(const json& v) {
  if (v.is_null()) return "—";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_float()) return fmt::format("{:g}", v.get<double>());
  if (v.is_object() && v.empty()) return "—";
  if (v.is_array()) {
    std::string out;
    for (const json& e : v) out += (out.empty() ? "" : ", ") + text_of(e);
    return out.empty() ? "—" : out;
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& [k, e] : v.items()) out += (out.empty() ? "" : "; ") + k + ": " + text_of(e);
    return out;
  }
  return detail::json_text(v);
}

std::string cell(const json& v) {
  return "<td class=\"wrap\">" + html_escape(text_of(v)) + "</td>";
}

class Page {
 public:
  void raw(std::string_view s) { out_ += s; }
  void heading(std::string_view tag, std::string_view text) {
    out_ += fmt::format("<{0}>{1}</{0}>\n", tag, html_escape(text));
  }
  void para(std::string_view cls, std::string_view text) {
    out_ += fmt::format("<p class=\"{}\">{}</p>\n", cls, html_escape(text));
  }
  void table(const std::vector<std::string>& headers, const std::vector<std::vector<json>>& rows,
             std::string_view empty_text) {
    if (rows.empty()) {
      para("note", empty_text);
      return;
    }
    out_ += "<table>\n<tr>";
    for (const std::string& h : headers) out_ += "<th>" + html_escape(h) + "</th>";
    out_ += "</tr>\n";
    for (const auto& row : rows) {
      out_ += "<tr>";
      for (const json& v : row) out_ += cell(v);
      out_ += "</tr>\n";
    }
    out_ += "</table>\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string basis_in_words(const std::string& basis) {
  if (basis == "consent") return "your consent";
  if (basis == "legitimate_interest") return "our legitimate interest";
  if (basis == "contract") return "a contract with you";
  if (basis == "legal_obligation") return "a legal obligation";
  return basis;
}

std::string days_in_words(const json& days) {
  if (!days.is_number()) return "no fixed limit declared";
  const double d = days.get<double>();
  return fmt::format("{:g} day{}", d, d == 1.0 ? "" : "s");
}

const json& section(const json& report, const char* name) {
  static const json kNone;
  const auto it = report.find(name);
  return it == report.end() ? kNone : *it;
}

void counts_summary(Page& page, const json& counts) {
  std::vector<std::vector<json>> rows;
  const std::pair<const char*, const char*> labels[] = {
      {"profile_fields", "details about you"},
      {"events", "recorded activities"},
      {"consent_entries", "consent decisions"},
      {"processing_limits", "restrictions and objections"},
      {"segments", "groups you are in"},
      {"recipients", "times your data was passed on"},
  };
  for (const auto& [key, label] : labels) rows.push_back({label, counts.value(key, 0)});
  page.table({"what", "how many"}, rows, "");
}

}  // namespace

std::string render_access_html(const json& report) {
  Page page;
  const json& controller = section(report, "controller");
  const json& request = section(report, "request");
  const std::string controller_name = controller.value("name", std::string("the controller"));
  page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
  page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  page.raw("<title>" + html_escape("Your data held by " + controller_name) + "</title>\n");
  page.raw("<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n");

  page.heading("h1", "Your data held by " + controller_name);
  page.para("lead", fmt::format("This report answers your request{} to see the personal data we "
                                "hold about you. It was made on {}.",
                                request.value("id", json()).is_null()
                                    ? std::string()
                                    : " (number " + text_of(request["id"]) + ")",
                                text_of(request.value("generated", json()))));
  counts_summary(page, access_report_counts(report));

  const json& subject = section(report, "subject");
  page.heading("h2", "Your record");
  page.para("note", "We refer to you internally by a random code instead of your name.");
  page.table({"what", "value"},
             {{"your code", subject.value("pseudonym", json())},
              {"first recorded", subject.value("created", json())},
              {"last changed", subject.value("updated", json())}},
             "");

  page.heading("h2", "How we recognise you");
  page.para("note",
            "We find your record by these details. We store them encrypted and look "
            "them up only through a keyed fingerprint.");
  std::vector<std::vector<json>> rows;
  for (const json& i : section(report, "identifiers")) rows.push_back({i["field"], i["value"]});
  page.table({"detail", "value"}, rows, "We hold no identifying detail about you.");

  page.heading("h2", "Details we hold about you");
  rows.clear();
  for (const json& f : section(report, "profile")) {
    rows.push_back({f["field"], f.value("description", std::string()), f["value"], f["category"],
                    f["pii"].is_boolean() ? json(f["pii"].get<bool>() ? "yes" : "no") : json(),
                    f["purposes"].empty() ? json("not used for any purpose") : f["purposes"]});
  }
  page.table({"detail", "what it is", "value", "kind of data", "kept encrypted", "may be used for"},
             rows, "We hold no profile details about you.");

  const json& events = section(report, "events");
  page.heading("h2", "Your recorded activities");
  rows.clear();
  const json per_type = events.value("count_by_type", json::object());
  for (const auto& [type, n] : per_type.items()) rows.push_back({type, n});
  page.table({"activity", "how many"}, rows, "We hold no record of your activities.");
  rows.clear();
  for (const json& e : events.value("items", json::array()))
    rows.push_back({e["time"], e["type"], e["properties"]});
  if (!rows.empty()) {
    page.heading("h3", "Every activity");
    page.table({"when (UTC)", "activity", "details"}, rows, "");
  }

  const json& consent = section(report, "consent");
  page.heading("h2", "Your consent choices");
  rows.clear();
  for (const json& c : consent.value("current", json::array())) {
    rows.push_back({c["purpose"], c["decision"], c["since"], c["notice_version"], c["expires_at"],
                    c["valid_now"]});
  }
  page.table({"purpose", "your latest decision", "since", "notice version", "expires", "valid now"},
             rows, "You have not given or refused consent for anything.");
  rows.clear();
  for (const json& e : consent.value("history", json::array())) {
    rows.push_back({e["time"], e["purpose"], e["action"], e["source"], e["method"],
                    e["notice_version"], e["notice_hash"], e["proof"], e["expires_at"]});
  }
  if (!rows.empty()) {
    page.heading("h3", "Every consent decision, with its proof");
    page.table({"when (UTC)", "purpose", "decision", "how it reached us", "method",
                "notice version", "notice fingerprint", "proof", "expires"},
               rows, "");
  }
  rows.clear();
  for (const json& l : consent.value("limits", json::array())) {
    rows.push_back({l["time"], l["kind"],
                    l["purpose"].is_null() ? json("every purpose") : l["purpose"],
                    l["lifted"].get<bool>() ? "lifted" : "started", l["source"]});
  }
  page.heading("h3", "Restrictions and objections");
  page.table({"when (UTC)", "kind", "applies to", "change", "how it reached us"}, rows,
             "You have not restricted or objected to any use of your data.");

  page.heading("h2", "Why we use your data");
  page.raw(
      "<table>\n<tr><th>purpose</th><th>what it is for</th><th>legal basis</th>"
      "<th>applies to you now</th></tr>\n");
  for (const json& p : section(report, "purposes")) {
    const bool applies = p.value("applies", false);
    page.raw("<tr>" + cell(p["purpose"]) + cell(p["description"]) +
             cell(basis_in_words(p.value("legal_basis", std::string()))) + "<td class=\"" +
             (applies ? "yes\">yes" : "no\">no: " + html_escape(text_of(p["why_not"]))) +
             "</td></tr>\n");
  }
  page.raw("</table>\n");

  page.heading("h2", "Groups you are in");
  page.para("note",
            "We group customers to decide what to offer them. These are the groups you "
            "are in, and why.");
  rows.clear();
  for (const json& s : section(report, "segments")) {
    std::string why;
    if (s.contains("rule")) why = "the rule " + text_of(s["rule"]);
    if (s.contains("rfm") && s["rfm"].is_object()) {
      const json& r = s["rfm"];
      why =
          fmt::format("your scores: recency {}, frequency {}, spending {} (1 low, 5 high): {}. {}",
                      text_of(r["recency"]), text_of(r["frequency"]), text_of(r["monetary"]),
                      text_of(r["segment"]), text_of(r["advice"]));
    }
    if (s.contains("rfm") && s["rfm"].is_null()) why = text_of(s["rfm_note"]);
    if (s.contains("distance")) {
      why = fmt::format(
          "your distance from the group's centre is {:.2f} (in standardised units: "
          "the smaller, the more typical of the group you are)",
          s["distance"].get<double>());
    }
    const json& d = s.value("description", json());
    if (d.is_object() && !d.value("distinctions", json::array()).empty())
      why += (why.empty() ? "" : ". ") + std::string("The group: ") + text_of(d["distinctions"]);
    else if (s.contains("description_note"))
      why += (why.empty() ? "" : ". ") + text_of(s["description_note"]);
    rows.push_back({s["segment"], s["group"], s["purpose"], s["run_at"], why});
  }
  page.table({"grouping", "your group", "purpose", "worked out on", "why"}, rows,
             "You are not in any group.");

  page.heading("h2", "Scores");
  page.para("note", text_of(section(report, "scores").value("note", json())));
  rows.clear();
  for (const json& sc : section(report, "scores").value("items", json::array())) {
    rows.push_back(
        {sc["purpose"], sc["model"], fmt::format("{:.1f}%", 100 * sc.value("probability", 0.0)),
         text_of(sc["reasons"]),
         sc.value("automated_decision", false) ? "yes, with human review on request" : "no"});
  }
  if (!rows.empty()) {
    page.table({"purpose", "model", "your score", "what moved it most", "decides automatically"},
               rows, "");
  }

  page.heading("h2", "Points");
  page.para("note", text_of(section(report, "points").value("note", json())));
  for (const json& pt : section(report, "points").value("items", json::array())) {
    page.para(
        "",
        fmt::format("{}: {:g} points, grade {}{}", text_of(pt["purpose"]), pt.value("points", 0.0),
                    text_of(pt["grade"]),
                    pt.value("marketing_qualified", false) ? ", a marketing-qualified lead" : ""));
    rows.clear();
    for (const json& e : pt.value("log", json::array())) {
      rows.push_back({e["at"], e["rule"], e["reason"], e["event_time"],
                      fmt::format("{:+g}", e.value("points", 0.0))});
    }
    page.table({"when", "rule", "why", "your activity at", "points"}, rows, "");
  }

  const json& retention = section(report, "retention");
  page.heading("h2", "How long we keep it");
  rows.clear();
  for (const json& f : retention.value("fields", json::array()))
    rows.push_back({f["field"], f["category"], days_in_words(f["days"])});
  page.table({"detail", "kind of data", "kept for"}, rows, "");
  rows.clear();
  for (const json& e : retention.value("event_types", json::array()))
    rows.push_back({e["event_type"], days_in_words(e["days"])});
  page.table({"activity", "kept for"}, rows, "");
  rows.clear();
  for (const json& p : retention.value("purposes", json::array()))
    rows.push_back({p["purpose"], days_in_words(p["days"])});
  page.table({"purpose", "data used for it kept for"}, rows, "");

  page.heading("h2", "Who received your data");
  rows.clear();
  for (const json& r : section(report, "recipients")) {
    std::string to = r.value("recipient", "");
    if (r.contains("recipient_description")) {
      to += ": " + r.value("recipient_description", "");
    }
    if (r.contains("recipient_country")) to += " (" + r.value("recipient_country", "") + ")";
    rows.push_back({r["time"], to, r["purpose"], r.value("columns", json())});
  }
  page.table({"when (UTC)", "sent to", "purpose", "what it contained"}, rows,
             "Your data has not been passed to anyone.");

  const json& sources = section(report, "sources");
  page.heading("h2", "Where your data came from");
  rows.clear();
  for (const json& s : sources.value("consent", json::array()))
    rows.push_back({s["source"], s["method"], s["entries"], s["first"], s["last"]});
  page.table({"consent decisions came from", "method", "how many", "first", "last"}, rows,
             "No consent decision of yours was recorded.");
  rows.clear();
  for (const json& i : sources.value("imports", json::array()))
    rows.push_back({i["time"], i["file"], i["kind"]});
  page.table({"imported on (UTC)", "from the file", "what it held"}, rows,
             "None of your data came from an imported file.");

  page.raw("<footer>\n");
  page.para("note",
            "You may ask us to correct what is wrong, to delete your data, to restrict "
            "or object to its use, or for a copy in a machine-readable format. You may "
            "also complain to a data protection authority.");
  page.para("note",
            "Contact: " + controller_name + ", " + controller.value("contact", std::string("—")));
  page.raw("</footer>\n</body>\n</html>\n");
  return page.take();
}

}  // namespace consentric::rights
