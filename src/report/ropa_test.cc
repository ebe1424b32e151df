#include "report/ropa.h"

#include <fstream>
#include <iterator>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/report_fixture_test.h"

namespace consentric::report {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

class RopaTest : public ReportStoreTest {};

const nlohmann::json& purpose_of(const nlohmann::json& ropa, std::string_view id) {
  for (const auto& p : ropa["purposes"]) {
    if (p["purpose"] == id) return p;
  }
  static const nlohmann::json kNone;
  return kNone;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(RopaTest, EveryPurposeWithItsBasisDataRecipientsAndLiveFigures) {
  auto r = build_ropa(*sd_, ctx());
  ASSERT_OK(r);
  const auto& j = r->json;
  EXPECT_EQ(j["purposes"].size(), sd_->config.purposes.size());
  EXPECT_EQ(j["controller"]["name"], "Northwind Analytics GmbH");
  const auto& seg = purpose_of(j, "segmentation");
  EXPECT_EQ(seg["legal_basis"], "consent");
  EXPECT_EQ(seg["retention_days"], 730);
  EXPECT_THAT(seg["categories"].get<std::vector<std::string>>(),
              ::testing::Contains("behavioral (events)"));
  ASSERT_EQ(seg["recipients"].size(), 2u);
  EXPECT_EQ(seg["recipients"][0]["name"], "adnet_eu");
  EXPECT_EQ(seg["recipients"][0]["transfer"], false);  // Ireland is in the EEA
  EXPECT_GE(seg["lawful_now"].get<std::int64_t>(), 10);
  EXPECT_TRUE(purpose_of(j, "order_fulfilment")["recipients"].empty());

  const std::string md = r->document.markdown();
  EXPECT_THAT(md, HasSubstr("# Record of processing activities (GDPR Art. 30)"));
  EXPECT_THAT(md, HasSubstr("Legal basis: consent, Art. 6(1)(a)"));
  EXPECT_THAT(md, HasSubstr("Legal basis: legitimate interest, Art. 6(1)(f)"));
  EXPECT_THAT(md, HasSubstr("| adnet_eu | Advertising platform"));
  EXPECT_THAT(md, HasSubstr("Encryption of identifying fields (customer_id, email"));
  EXPECT_THAT(md, HasSubstr("k = 10"));
  const std::string html = r->document.html();
  EXPECT_THAT(html, HasSubstr("<svg"));  // consent coverage, drawn
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
}

TEST_F(RopaTest, ARecipientOutsideTheEeaIsATransfer) {
  std::string yaml(synth::quickstart_config_yaml());
  const std::string from = "    country: IE\n";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "    country: US\n");
  ASSERT_OK(apply_config(*sd_, yaml, "q.yaml", kNow));
  auto r = build_ropa(*sd_, ctx());
  ASSERT_OK(r);
  EXPECT_EQ(purpose_of(r->json, "segmentation")["recipients"][0]["transfer"], true);
  EXPECT_THAT(r->document.markdown(), HasSubstr("Transfers to third countries: adnet_eu (US)"));
  EXPECT_TRUE(in_eea("DE"));
  EXPECT_TRUE(in_eea("NO"));
  EXPECT_FALSE(in_eea("GB"));
  EXPECT_FALSE(in_eea("US"));
}

TEST_F(RopaTest, WrittenFilesAreRecordedWithTheirHashes) {
  auto r = build_ropa(*sd_, ctx());
  ASSERT_OK(r);
  const auto md = store_.path() / "ropa.md";
  const auto html = store_.path() / "ropa.html";
  auto seq = write_report(*sd_, *r, "report.ropa", md.string(), html.string(), ctx());
  ASSERT_OK(seq);
  EXPECT_EQ(read(md), r->document.markdown());
  EXPECT_EQ(read(html), r->document.html());
  EXPECT_EQ(audit_count("report.ropa"), 1);
  EXPECT_THAT(write_report(*sd_, *r, "report.ropa", md.string(), md.string(), ctx()).status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("same file")));
  EXPECT_THAT(write_report(*sd_, *r, "report.ropa", "", "", ctx()).status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--out")));
  EXPECT_THAT(write_report(*sd_, *r, "report.ropa", (store_.path() / "no/such/dir/x.md").string(),
                           "", ctx())
                  .status(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cannot write")));
  EXPECT_EQ(audit_count("report.ropa"), 1);
}

TEST(Document, EscapesEverythingItIsGiven) {
  Document d("A <title> & more");
  d.heading(2, "Section <2>");
  d.paragraph("x < y & \"z\"");
  d.table({"a|b", "c"}, {{"1|2", "<i>"}});
  d.bar_chart("share", {{"<p>", 0.5, "50%"}}, 1.0);
  const std::string html = d.html();
  EXPECT_THAT(html, HasSubstr("<h1>A &lt;title&gt; &amp; more</h1>"));
  EXPECT_THAT(html, HasSubstr("<td>&lt;i&gt;</td>"));
  EXPECT_THAT(html, HasSubstr("&lt;p&gt;</text>"));
  EXPECT_THAT(html, Not(HasSubstr("<i>")));
  const std::string md = d.markdown();
  EXPECT_THAT(md, HasSubstr("| a\\|b | c |"));
  EXPECT_THAT(md, HasSubstr("| 1\\|2 | <i> |"));
  Document empty("t");
  empty.table({"a"}, {}, "Nothing here.");
  EXPECT_THAT(empty.markdown(), HasSubstr("Nothing here."));
}

}  // namespace
}  // namespace consentric::report
