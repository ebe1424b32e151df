#include "rights/requests.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "consent/lawful_basis.h"
#include "consent/ledger.h"
#include "consent/subjects.h"
#include "crypto/blind_index.h"
#include "gate/gate.h"
#include "testing/status_matchers.h"

namespace consentric::rights {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

UnixSeconds at(std::string_view text) {
  auto t = parse_timestamp(text);
  EXPECT_OK(t);
  return t.ok() ? *t : 0;
}

// --- deadlines ------------------------------------------------------------------------------

TEST(DueDate, GdprIsOneCalendarMonthClampedToTheMonthsLastDay) {
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-03-15T10:20:30Z"), false), at("2026-04-15T10:20:30Z"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-01-31T09:00:00Z"), false), at("2026-02-28T09:00:00Z"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2028-01-31T09:00:00Z"), false), at("2028-02-29T09:00:00Z"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-03-31"), false), at("2026-04-30"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-12-15"), false), at("2027-01-15"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-12-31T23:59:59Z"), false), at("2027-01-31T23:59:59Z"));
  // Feb 29 of a leap year to March 29: the same day next month exists.
  EXPECT_EQ(due_date(Regime::kGdpr, at("2028-02-29"), false), at("2028-03-29"));
}

TEST(DueDate, GdprExtensionIsThreeMonthsFromReceipt) {
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-01-15"), true), at("2026-04-15"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2026-11-30"), true), at("2027-02-28"));
  EXPECT_EQ(due_date(Regime::kGdpr, at("2027-11-30"), true), at("2028-02-29"));
  EXPECT_EQ(add_calendar_months(at("2026-05-31"), 1), at("2026-06-30"));
}

TEST(DueDate, CcpaIsFortyFiveDaysAndNinetyWhenExtended) {
  EXPECT_EQ(due_date(Regime::kCcpa, at("2026-01-31"), false), at("2026-03-17"));
  EXPECT_EQ(due_date(Regime::kCcpa, at("2028-02-01"), false), at("2028-03-17"));  // leap year
  EXPECT_EQ(due_date(Regime::kCcpa, at("2026-12-01T12:00:00Z"), false), at("2027-01-15T12:00:00Z"));
  EXPECT_EQ(due_date(Regime::kCcpa, at("2026-01-01"), true), at("2026-04-01"));
}

TEST(RequestNames, RoundTrip) {
  for (auto t : {RequestType::kAccess, RequestType::kPortability, RequestType::kRectification,
                 RequestType::kErasure, RequestType::kRestriction, RequestType::kObjection}) {
    EXPECT_EQ(parse_request_type(to_string(t)), t);
  }
  EXPECT_FALSE(parse_request_type("rectify").has_value());
  EXPECT_EQ(parse_regime("ccpa"), Regime::kCcpa);
  EXPECT_FALSE(parse_regime("lgpd").has_value());
}

// --- the register on a real store ------------------------------------------------------------

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test GmbH, contact: dpo@test.example}
identifiers: [{field: email, kind: email}]
fields:
  - {name: email, type: string, category: contact, pii: true}
  - {name: country, type: category, category: location, values: [DE, FR]}
event_types:
  - {name: page_view}
purposes:
  - {id: news, legal_basis: consent, fields: [country], notice_version: "v1"}
  - {id: promo, legal_basis: consent, fields: [country], notice_version: "v1",
     direct_marketing: true}
  - {id: scoring, legal_basis: legitimate_interest, fields: [country]}
  - {id: mailing, legal_basis: legitimate_interest, fields: [country], direct_marketing: true}
  - {id: orders, legal_basis: contract, fields: [country]}
)";

constexpr UnixSeconds kDay = 86'400;
constexpr UnixSeconds kT0 = 1'780'000'000;  // 2026-05-28

class RequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd =
        init_store_dir(dir_.path() / "s", kConfig, "c.yaml", kT0 - 10 * kDay, {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    ada_ = add_person("ada@example.com");
    bob_ = add_person("bob@example.com");
  }

  SubjectId add_person(const std::string& email) {
    auto id = consent::parse_identifier_arg(sd_->config, email);
    EXPECT_OK(id);
    EXPECT_OK(sd_->store->begin());
    EXPECT_OK(sd_->keyring->begin());
    auto s = consent::find_or_create_subject(*sd_, *id, kT0 - 5 * kDay);
    EXPECT_OK(s);
    consent::PurposeFeatureKeeper keeper(*sd_->store, sd_->config);
    for (const char* purpose : {"news", "promo"}) {
      EXPECT_OK(consent::append_decision(
          *sd_->store, sd_->config, keeper, s->id,
          {.purpose = purpose, .ts = kT0 - 5 * kDay, .notice_version = "v1"}, "test",
          kT0 - 5 * kDay));
    }
    EXPECT_OK(keeper.flush());
    EXPECT_OK(sd_->keyring->commit());
    EXPECT_OK(sd_->store->commit());
    return s->id;
  }

  bool lawful(const std::string& purpose, SubjectId s, UnixSeconds t) {
    auto history = sd_->store->consent_history(s);
    auto limits = sd_->store->limit_history(s);
    EXPECT_OK(history);
    EXPECT_OK(limits);
    std::vector<ConsentEntry> mine;
    for (const ConsentEntry& e : *history)
      if (e.purpose == purpose) mine.push_back(e);
    return consent::is_lawful(*sd_->config.purpose(purpose), consent::latest_at(mine, t),
                              consent::limits_at(*limits, purpose, t), t);
  }

  std::int64_t gate_lawful(const std::string& purpose, UnixSeconds t) {
    auto counts = gate::count_lawful(*sd_, t, "test", t);
    EXPECT_OK(counts);
    for (const auto& c : *counts)
      if (c.purpose == purpose) return c.lawful;
    return -1;
  }

  std::vector<AuditRecord> audit(const std::string& action) {
    std::vector<AuditRecord> out;
    EXPECT_OK(sd_->store->scan_audit([&](const AuditRecord& r) {
      if (r.action == action) out.push_back(r);
      return Status();
    }));
    return out;
  }

  std::string pseudonym(SubjectId s) {
    auto row = sd_->store->subject(s);
    EXPECT_OK(row);
    return (*row)->pseudonym;
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
  SubjectId ada_ = 0, bob_ = 0;
};

TEST_F(RequestsTest, OpenRecordsTheRequestWithItsDeadlineAndAudits) {
  auto r = open_request(*sd_, {.type = RequestType::kAccess,
                               .identifier = "ada@example.com",
                               .received = kT0 - 2 * kDay,
                               .verified = true,
                               .now = kT0});
  ASSERT_OK(r);
  EXPECT_EQ(r->row.status, "open");
  EXPECT_EQ(r->row.type, "access");
  EXPECT_EQ(r->row.regime, "gdpr");
  EXPECT_EQ(r->row.identifier_field, "email");
  EXPECT_EQ(r->row.subject, ada_);
  EXPECT_EQ(r->row.due_at, add_calendar_months(kT0 - 2 * kDay, 1));
  EXPECT_TRUE(r->row.verified);
  EXPECT_EQ(r->pseudonym, pseudonym(ada_));

  auto again = get_request(*sd_, r->row.request_id);
  ASSERT_OK(again);
  EXPECT_EQ(again->row.due_at, r->row.due_at);

  const auto entries = audit("dsar.open");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].subject, pseudonym(ada_));
  EXPECT_THAT(entries[0].detail, HasSubstr("\"type\":\"access\""));
  EXPECT_THAT(entries[0].detail, HasSubstr("\"due\":"));
  EXPECT_THAT(entries[0].detail, Not(HasSubstr("ada@")));

  EXPECT_THAT(get_request(*sd_, 999), StatusIs(StatusCode::kNotFound, HasSubstr("999")));
}

TEST_F(RequestsTest, ReceivedInTheFutureAndBadIdentifiersAreRefused) {
  EXPECT_THAT(
      open_request(*sd_, {.identifier = "ada@example.com", .received = kT0 + kDay, .now = kT0}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("future")));
  EXPECT_THAT(open_request(*sd_, {.identifier = "phone=123", .now = kT0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not an identifier field")));
  auto all = list_requests(*sd_, {});
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
}

TEST_F(RequestsTest, UnknownPersonIsAnsweredNoDataAtOnceAndAudited) {
  auto r = open_request(*sd_, {.type = RequestType::kAccess,
                               .identifier = "email=nobody@example.com",
                               .regime = Regime::kCcpa,
                               .now = kT0});
  ASSERT_OK(r);
  EXPECT_EQ(r->row.status, "no_data");
  EXPECT_EQ(r->row.completed_at, kT0);
  EXPECT_FALSE(r->row.subject.has_value());
  EXPECT_EQ(r->row.due_at, kT0 + 45 * kDay);
  EXPECT_EQ(nlohmann::json::parse(r->row.evidence)["answer"], "no data held");
  const auto entries = audit("dsar.no_data");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].subject, "");
  EXPECT_THAT(entries[0].detail, HasSubstr("\"reason\":\"unknown\""));
  EXPECT_THAT(entries[0].detail, Not(HasSubstr("nobody")));
}

TEST_F(RequestsTest, ErasedPersonIsAnsweredNoDataSayingSo) {
  auto normalized = crypto::normalize_identifier(IdentifierKind::kEmail, "bob@example.com");
  ASSERT_OK(normalized);
  ASSERT_OK(sd_->store->begin());
  ASSERT_OK(sd_->store->suppress(sd_->indexer->index("email", *normalized), "email", "erased",
                                 kT0 - kDay));
  ASSERT_OK(sd_->store->commit());
  auto r = open_request(
      *sd_, {.type = RequestType::kErasure, .identifier = "bob@example.com", .now = kT0});
  ASSERT_OK(r);
  EXPECT_EQ(r->row.status, "no_data");
  EXPECT_THAT(r->row.evidence, HasSubstr("erased"));
  ASSERT_EQ(audit("dsar.no_data").size(), 1u);
  EXPECT_THAT(audit("dsar.no_data")[0].detail, HasSubstr("\"reason\":\"erased\""));
}

TEST_F(RequestsTest, SecondRequestOfTheSameTypeWhileOneIsOpenIsRefused) {
  auto first = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0});
  ASSERT_OK(first);
  EXPECT_THAT(
      open_request(*sd_,
                   {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0 + 1}),
      StatusIs(StatusCode::kAlreadyExists,
               HasSubstr(fmt::format("--request {}", first->row.request_id))));
  // Another type, or another person, is a request of its own.
  EXPECT_OK(open_request(
      *sd_, {.type = RequestType::kErasure, .identifier = "ada@example.com", .now = kT0}));
  EXPECT_OK(open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "bob@example.com", .now = kT0}));
  // Once closed, a new one may be opened.
  ASSERT_OK(close_request(*sd_, first->row.request_id, "completed", "", "t", kT0 + 2));
  EXPECT_OK(open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0 + 3}));
}

TEST_F(RequestsTest, ExtendOnceWithAReasonOnlyWhileOpen) {
  auto r = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0});
  ASSERT_OK(r);
  const std::int64_t id = r->row.request_id;
  EXPECT_THAT(extend_request(*sd_, id, "  ", "t", kT0 + kDay),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("reason")));
  auto e = extend_request(*sd_, id, "many systems to search", "t", kT0 + kDay);
  ASSERT_OK(e);
  EXPECT_TRUE(e->row.extended);
  EXPECT_EQ(e->row.extension_reason, "many systems to search");
  EXPECT_EQ(e->row.due_at, add_calendar_months(kT0, 3));
  EXPECT_THAT(extend_request(*sd_, id, "again", "t", kT0 + 2 * kDay),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already extended")));
  ASSERT_EQ(audit("dsar.extend").size(), 1u);
  // Free text stays in the register; the chain, which is never erased, holds its hash.
  EXPECT_THAT(audit("dsar.extend")[0].detail, HasSubstr("reason_hash"));
  EXPECT_THAT(audit("dsar.extend")[0].detail, Not(HasSubstr("many systems")));

  ASSERT_OK(
      close_request(*sd_, id, "refused", R"({"why":"manifestly unfounded"})", "t", kT0 + 3 * kDay));
  EXPECT_THAT(extend_request(*sd_, id, "late", "t", kT0 + 4 * kDay),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not open")));
  EXPECT_THAT(extend_request(*sd_, 77, "x", "t", kT0),
              StatusIs(StatusCode::kNotFound, HasSubstr("77")));

  // CCPA: 45 more days.
  auto c = open_request(*sd_, {.type = RequestType::kAccess,
                               .identifier = "bob@example.com",
                               .regime = Regime::kCcpa,
                               .now = kT0});
  ASSERT_OK(c);
  auto ce = extend_request(*sd_, c->row.request_id, "complex", "t", kT0 + kDay);
  ASSERT_OK(ce);
  EXPECT_EQ(ce->row.due_at, kT0 + 90 * kDay);
  // After the first period has run out, there is nothing left to extend.
  auto late = open_request(*sd_, {.type = RequestType::kErasure,
                                  .identifier = "bob@example.com",
                                  .regime = Regime::kCcpa,
                                  .now = kT0});
  ASSERT_OK(late);
  EXPECT_THAT(extend_request(*sd_, late->row.request_id, "x", "t", kT0 + 46 * kDay),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("within the first period")));
}

TEST_F(RequestsTest, CloseTakesCompletedOrRefusedWithJsonEvidence) {
  auto r = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0});
  ASSERT_OK(r);
  const std::int64_t id = r->row.request_id;
  EXPECT_THAT(close_request(*sd_, id, "done", "", "t", kT0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("completed or refused")));
  EXPECT_THAT(close_request(*sd_, id, "completed", "[1,2]", "t", kT0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("JSON object")));
  auto c = close_request(*sd_, id, "completed", R"({"sent":"by post"})", "t", kT0 + kDay);
  ASSERT_OK(c);
  EXPECT_EQ(c->row.status, "completed");
  EXPECT_EQ(c->row.completed_at, kT0 + kDay);
  EXPECT_EQ(nlohmann::json::parse(c->row.evidence)["sent"], "by post");
  EXPECT_THAT(close_request(*sd_, id, "refused", "", "t", kT0 + kDay),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not open")));
  ASSERT_EQ(audit("dsar.close").size(), 1u);
  EXPECT_EQ(audit("dsar.close")[0].subject, pseudonym(ada_));
}

TEST_F(RequestsTest, ListFiltersOpenAndOverdue) {
  auto a = open_request(*sd_, {.type = RequestType::kAccess,
                               .identifier = "ada@example.com",
                               .received = kT0 - 40 * kDay,
                               .now = kT0});
  auto b = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "bob@example.com", .now = kT0});
  auto n = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "nobody@example.com", .now = kT0});
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(n);
  auto all = list_requests(*sd_, {});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 3u);
  auto open = list_requests(*sd_, {.status = "open"});
  ASSERT_OK(open);
  EXPECT_EQ(open->size(), 2u);
  auto overdue = list_requests(*sd_, {.overdue_at = kT0});
  ASSERT_OK(overdue);
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].row.request_id, a->row.request_id);
  // A month on, the other one is overdue too; a closed request never is.
  ASSERT_OK(close_request(*sd_, a->row.request_id, "completed", "", "t", kT0));
  overdue = list_requests(*sd_, {.overdue_at = kT0 + 40 * kDay});
  ASSERT_OK(overdue);
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].row.request_id, b->row.request_id);
  EXPECT_THAT(list_requests(*sd_, {.status = "pending"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected open")));
}

TEST_F(RequestsTest, ExportWritesTheWholeRegisterAsCsvWithoutIdentifierValues) {
  ASSERT_OK(open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0}));
  ASSERT_OK(open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "nobody@example.com", .now = kT0}));
  const auto out = dir_.path() / "register.csv";
  auto n = export_register(*sd_, out, "t", kT0);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  const std::string csv = ::consentric::testing::read_file(out);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "request_id,type,regime,identifier_field,subject,received,verified,due,extended,"
            "extension_reason,status,completed,evidence");
  EXPECT_THAT(csv, HasSubstr(pseudonym(ada_)));
  EXPECT_THAT(csv, HasSubstr("\"{\"\"answer\"\":\"\"no data held\"\"}\""));
  EXPECT_THAT(csv, Not(HasSubstr("@")));
  EXPECT_EQ(audit("dsar.export").size(), 1u);
}

TEST_F(RequestsTest, RestrictionStopsEveryPurposeAndLiftingRestoresIt) {
  ASSERT_TRUE(lawful("orders", ada_, kT0));
  ASSERT_TRUE(lawful("news", ada_, kT0));
  const std::int64_t before = gate_lawful("orders", kT0);
  auto r = restrict(*sd_, {.identifier = "ada@example.com", .now = kT0});
  ASSERT_OK(r);
  EXPECT_EQ(r->row.type, "restriction");
  EXPECT_EQ(r->row.status, "completed");
  EXPECT_TRUE(r->row.verified);
  const auto evidence = nlohmann::json::parse(r->row.evidence);
  EXPECT_GT(evidence["limit_entry"].get<std::int64_t>(), 0);
  EXPECT_EQ(evidence["lifted"], false);
  EXPECT_FALSE(lawful("orders", ada_, kT0));
  EXPECT_FALSE(lawful("news", ada_, kT0));
  EXPECT_TRUE(lawful("orders", bob_, kT0));
  EXPECT_EQ(gate_lawful("orders", kT0), before - 1);
  EXPECT_EQ(audit("dsar.open").size(), 1u);
  EXPECT_EQ(audit("dsar.close").size(), 1u);
  EXPECT_EQ(audit("subject.restrict").size(), 1u);

  auto lifted = restrict(*sd_, {.identifier = "ada@example.com", .lift = true, .now = kT0 + 10});
  ASSERT_OK(lifted);
  EXPECT_EQ(nlohmann::json::parse(lifted->row.evidence)["lifted"], true);
  EXPECT_TRUE(lawful("orders", ada_, kT0 + 10));
  EXPECT_TRUE(lawful("news", ada_, kT0 + 10));
  EXPECT_EQ(gate_lawful("orders", kT0 + 10), before);
  // Nothing left to lift.
  EXPECT_THAT(restrict(*sd_, {.identifier = "ada@example.com", .lift = true, .now = kT0 + 20}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("nothing to lift")));
  EXPECT_THAT(restrict(*sd_, {.identifier = "ada@example.com", .purpose = "news", .now = kT0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("every purpose")));
}

TEST_F(RequestsTest, RestrictionUnderAnOpenRequestCompletesIt) {
  auto open = open_request(
      *sd_, {.type = RequestType::kRestriction, .identifier = "ada@example.com", .now = kT0});
  ASSERT_OK(open);
  // Without --request, the open one is in the way.
  EXPECT_THAT(restrict(*sd_, {.identifier = "ada@example.com", .now = kT0}),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("--request")));
  EXPECT_FALSE(audit("subject.restrict").size() > 0);  // nothing half-done
  // A request of another person or type is refused.
  EXPECT_THAT(
      restrict(*sd_,
               {.identifier = "bob@example.com", .request_id = open->row.request_id, .now = kT0}),
      StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another person")));
  auto access = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ada@example.com", .now = kT0});
  ASSERT_OK(access);
  EXPECT_THAT(
      restrict(*sd_,
               {.identifier = "ada@example.com", .request_id = access->row.request_id, .now = kT0}),
      StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not restriction")));
  EXPECT_TRUE(lawful("orders", ada_, kT0));

  auto done = restrict(
      *sd_, {.identifier = "ada@example.com", .request_id = open->row.request_id, .now = kT0 + 5});
  ASSERT_OK(done);
  EXPECT_EQ(done->row.request_id, open->row.request_id);
  EXPECT_EQ(done->row.status, "completed");
  EXPECT_FALSE(lawful("orders", ada_, kT0 + 5));
  auto all = list_requests(*sd_, {.status = "completed"});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(RequestsTest, ObjectionStopsLegitimateInterestAndDirectMarketing) {
  // One legitimate-interest purpose, named.
  auto r = object(*sd_, {.identifier = "ada@example.com", .purpose = "scoring", .now = kT0});
  ASSERT_OK(r);
  EXPECT_EQ(nlohmann::json::parse(r->row.evidence)["purpose"], "scoring");
  EXPECT_FALSE(lawful("scoring", ada_, kT0));
  EXPECT_TRUE(lawful("mailing", ada_, kT0));
  EXPECT_TRUE(lawful("orders", ada_, kT0));

  // Direct marketing stops whatever its basis (Art. 21(3)): consent-based promo too.
  ASSERT_OK(object(*sd_, {.identifier = "bob@example.com", .now = kT0}));
  EXPECT_FALSE(lawful("mailing", bob_, kT0));
  EXPECT_FALSE(lawful("promo", bob_, kT0));
  EXPECT_FALSE(lawful("scoring", bob_, kT0));
  EXPECT_TRUE(lawful("news", bob_, kT0));
  EXPECT_TRUE(lawful("orders", bob_, kT0));

  ASSERT_OK(object(*sd_, {.identifier = "bob@example.com", .lift = true, .now = kT0 + 1}));
  EXPECT_TRUE(lawful("promo", bob_, kT0 + 1));
  EXPECT_TRUE(lawful("mailing", bob_, kT0 + 1));

  EXPECT_THAT(object(*sd_, {.identifier = "ada@example.com", .purpose = "news", .now = kT0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("withdraw consent")));
  EXPECT_THAT(object(*sd_, {.identifier = "ada@example.com", .purpose = "nope", .now = kT0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a declared purpose")));
  EXPECT_OK(object(*sd_, {.identifier = "ada@example.com", .purpose = "promo", .now = kT0}));
  EXPECT_FALSE(lawful("promo", ada_, kT0));
}

TEST_F(RequestsTest, RestrictingAnUnknownPersonRecordsNoData) {
  auto r = restrict(*sd_, {.identifier = "nobody@example.com", .now = kT0});
  ASSERT_OK(r);
  EXPECT_EQ(r->row.status, "no_data");
  EXPECT_EQ(r->row.type, "restriction");
  EXPECT_EQ(audit("dsar.no_data").size(), 1u);
  EXPECT_TRUE(audit("subject.restrict").empty());
}

}  // namespace
}  // namespace consentric::rights
