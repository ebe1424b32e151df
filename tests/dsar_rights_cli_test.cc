// dsar access and dsar portability end to end: the real binary, real store files.

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::read_file;
using ::testing::HasSubstr;
using ::testing::Not;

class DsarRightsCli : public ::consentric::testing::StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    const CommandRun r = at_store(
        "consent grant ada@example.com --purpose email_marketing --time 2026-03-01T10:00:00Z");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  unsigned mode_of(const std::string& file) const {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 0777;
  }
};

TEST_F(DsarRightsCli, AccessWritesTheReportAndCompletesTheRequest) {
  const CommandRun r = at_store("dsar access ada@example.com --json " + path("ada.json") +
                                " --html " + path("ada.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Request 1 (access) completed"));
  EXPECT_THAT(r.output, HasSubstr("ada.json"));
  EXPECT_THAT(r.output, HasSubstr("consent decisions"));
  EXPECT_EQ(mode_of(path("ada.json")), 0600u);
  EXPECT_EQ(mode_of(path("ada.html")), 0600u);

  const nlohmann::json report = nlohmann::json::parse(read_file(dir_ / "ada.json"));
  EXPECT_EQ(report["request"]["id"], 1);
  ASSERT_EQ(report["consent"]["history"].size(), 1u);
  EXPECT_EQ(report["consent"]["history"][0]["purpose"], "email_marketing");
  EXPECT_FALSE(report["purposes"].empty());
  const std::string html = read_file(dir_ / "ada.html");
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("email_marketing"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));

  const nlohmann::json shown = json_of("dsar show 1");
  EXPECT_EQ(shown["type"], "access");
  EXPECT_EQ(shown["status"], "completed");
  EXPECT_EQ(shown["evidence"]["files"].size(), 2u);
  EXPECT_EQ(shown["evidence"]["counts"]["consent_entries"], 1);
  const CommandRun log = at_store("audit log --action subject.access");
  EXPECT_THAT(log.output, HasSubstr("subject.access"));
  EXPECT_THAT(log.output, Not(HasSubstr("ada@")));
  EXPECT_EQ(at_store("audit verify").exit_code, 0);
}

TEST_F(DsarRightsCli, AccessNeedsAFile) {
  const CommandRun r = at_store("dsar access ada@example.com");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--json FILE, --html FILE"));
  EXPECT_TRUE(json_of("dsar list").empty());
}

TEST_F(DsarRightsCli, UnknownPersonIsNoDataHeld) {
  CommandRun r = at_store("dsar access nobody@example.com --json " + path("n.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no data held"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "n.json"));
  r = at_store("dsar portability nobody@example.com --out " + path("n.zip"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no data held"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "n.zip"));
  EXPECT_EQ(json_of("dsar show 1")["status"], "no_data");
  EXPECT_EQ(json_of("dsar show 2")["status"], "no_data");
  EXPECT_EQ(json_of("dsar show 2")["type"], "portability");
}

TEST_F(DsarRightsCli, AnOpenRequestIsCarriedOutWithRequest) {
  ASSERT_EQ(at_store("dsar open access ada@example.com").exit_code, 0);
  ASSERT_EQ(at_store("dsar open portability ada@example.com").exit_code, 0);

  CommandRun r = at_store("dsar access ada@example.com --json " + path("a.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--request 1"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a.json"));
  r = at_store("dsar portability ada@example.com --out " + path("a.zip"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("--request 2"));
  r = at_store("dsar portability ada@example.com --out " + path("a.zip") + " --request 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("not portability"));
  EXPECT_EQ(json_of("dsar list").size(), 2u);  // the refusals recorded nothing

  r = at_store("dsar access ada@example.com --json " + path("a.json") + " --request 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_of("dsar show 1")["status"], "completed");
  r = at_store("dsar portability email=ada@example.com --out " + path("a.zip") + " --request 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_of("dsar show 2")["status"], "completed");
  EXPECT_EQ(json_of("dsar list").size(), 2u);
}

TEST_F(DsarRightsCli, PortabilityCarriesEveryEventOfAnImportedPerson) {
  import_generated(40, 7, {"profiles", "events", "consents"}, "--as-of 2026-06-30");
  // The first generated customer's email (the generator writes no quoted cells).
  std::istringstream profiles(read_file(dir_ / "data" / "profiles.csv"));
  std::string header, first, cell, email;
  std::getline(profiles, header);
  std::getline(profiles, first);
  std::istringstream names(header), values(first);
  while (std::getline(names, cell, ',') && std::getline(values, email, ',')) {
    if (cell == "email") break;
  }
  ASSERT_NE(email.find('@'), std::string::npos) << header << "\n" << first;

  const nlohmann::json access = json_of("dsar access " + email + " --json " + path("p.json"));
  const auto events = access["counts"]["events"].get<std::int64_t>();
  EXPECT_GT(events, 0);
  const nlohmann::json port = json_of("dsar portability " + email + " --out " + path("p.zip"));
  EXPECT_EQ(port["status"], "completed");
  EXPECT_EQ(mode_of(path("p.zip")), 0600u);
  bool found = false;
  for (const auto& f : port["files"]) {
    if (f["name"] == "observed/events.csv") {
      found = true;
      EXPECT_EQ(f["rows"], events);
    }
  }
  EXPECT_TRUE(found) << port.dump();
  const CommandRun text = at_store("dsar portability " + email + " --out " + path("q.zip"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("(portability) completed"));
  EXPECT_THAT(text.output, HasSubstr("provided/profile.csv"));
  EXPECT_THAT(at_store("audit log --action subject.portability").output,
              HasSubstr("subject.portability"));
}

}  // namespace
}  // namespace consentric
