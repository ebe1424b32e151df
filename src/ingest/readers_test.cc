#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv_reader.h"
#include "ingest/ndjson_reader.h"
#include "testing/status_matchers.h"

namespace consentric::ingest {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::size_t kBlock = std::size_t{1} << 20;

using Row = std::vector<std::string>;

// Reads the next CSV record as owned strings; fails the test on an error or at the end.
Row next_row(CsvReader& reader) {
  std::vector<std::string_view> fields;
  auto r = reader.next(&fields);
  EXPECT_OK(r);
  EXPECT_TRUE(r.ok() && *r) << "expected a record";
  return Row(fields.begin(), fields.end());
}

bool at_end(CsvReader& reader) {
  std::vector<std::string_view> fields;
  auto r = reader.next(&fields);
  return r.ok() && !*r;
}

// Reads every record, failing the test on any error.
std::vector<Row> read_all(CsvReader& reader) {
  std::vector<Row> rows;
  std::vector<std::string_view> fields;
  for (;;) {
    auto r = reader.next(&fields);
    EXPECT_OK(r);
    if (!r.ok() || !*r) break;
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

std::vector<Row> read_all(std::string text) {
  auto reader = CsvReader::from_string(std::move(text));
  return read_all(*reader);
}

// ---------------------------------------------------------------------------------------------
// CSV

TEST(CsvReader, ReadsSimpleRecordsAndLines) {
  auto reader = CsvReader::from_string("id,name,age\n1,Ann,34\n2,Bo,\n");
  EXPECT_THAT(next_row(*reader), ElementsAre("id", "name", "age"));
  EXPECT_EQ(reader->line(), 1);
  EXPECT_THAT(next_row(*reader), ElementsAre("1", "Ann", "34"));
  EXPECT_EQ(reader->line(), 2);
  EXPECT_THAT(next_row(*reader), ElementsAre("2", "Bo", ""));
  EXPECT_EQ(reader->line(), 3);
  EXPECT_TRUE(at_end(*reader));
  EXPECT_TRUE(at_end(*reader));  // stays at the end
}

TEST(CsvReader, QuotedFieldsKeepCommas) {
  EXPECT_THAT(read_all("\"a,b\",c,\",\"\n\"\",x\n"),
              ElementsAre(ElementsAre("a,b", "c", ","), ElementsAre("", "x")));
}

TEST(CsvReader, DoubledQuotesAreUnescaped) {
  EXPECT_THAT(read_all("\"say \"\"hi\"\"\",\"\"\"\",plain,\"x\"\"\",\"\"\"y\"\n"),
              ElementsAre(ElementsAre("say \"hi\"", "\"", "plain", "x\"", "\"y")));
  // Several unescaped fields in one record, and the scratch space reused by the next record.
  EXPECT_THAT(read_all("\"a\"\"1\",\"b\"\"2\"\n\"c\"\"3\",d\n"),
              ElementsAre(ElementsAre("a\"1", "b\"2"), ElementsAre("c\"3", "d")));
}

TEST(CsvReader, EmbeddedNewlinesKeepLineNumbersRight) {
  auto reader =
      CsvReader::from_string("id,note\n1,\"two\nlines\"\n2,\"three\r\nmore\nlines\"\n3,x\n");
  EXPECT_THAT(next_row(*reader), ElementsAre("id", "note"));
  EXPECT_THAT(next_row(*reader), ElementsAre("1", "two\nlines"));
  EXPECT_EQ(reader->line(), 2);
  EXPECT_THAT(next_row(*reader), ElementsAre("2", "three\r\nmore\nlines"));
  EXPECT_EQ(reader->line(), 4);
  EXPECT_THAT(next_row(*reader), ElementsAre("3", "x"));
  EXPECT_EQ(reader->line(), 7);
  EXPECT_TRUE(at_end(*reader));
}

TEST(CsvReader, AcceptsCrlfLineEnds) {
  auto reader = CsvReader::from_string("a,b\r\n1,\"q\"\r\n2,\r\n");
  EXPECT_THAT(next_row(*reader), ElementsAre("a", "b"));
  EXPECT_THAT(next_row(*reader), ElementsAre("1", "q"));
  EXPECT_THAT(next_row(*reader), ElementsAre("2", ""));
  EXPECT_EQ(reader->line(), 3);
  EXPECT_TRUE(at_end(*reader));
  // A CR not followed by LF is data.
  EXPECT_THAT(read_all("a\rb,c\n"), ElementsAre(ElementsAre("a\rb", "c")));
}

TEST(CsvReader, SkipsByteOrderMarkAtStartOnly) {
  EXPECT_THAT(read_all("\xEF\xBB\xBFid,name\n1,x\n"),
              ElementsAre(ElementsAre("id", "name"), ElementsAre("1", "x")));
  EXPECT_THAT(read_all("id\n\xEF\xBB\xBFx\n"),
              ElementsAre(ElementsAre("id"), ElementsAre("\xEF\xBB\xBFx")));
  EXPECT_THAT(read_all("\xEF\xBB\xBF"), ElementsAre());
}

TEST(CsvReader, AcceptsMissingFinalNewline) {
  EXPECT_THAT(read_all("a,b\n1,2"), ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
  EXPECT_THAT(read_all("a,\"b\""), ElementsAre(ElementsAre("a", "b")));
  EXPECT_THAT(read_all("a,"), ElementsAre(ElementsAre("a", "")));
  EXPECT_THAT(read_all("a\r"), ElementsAre(ElementsAre("a")));
  EXPECT_THAT(read_all(""), ElementsAre());
}

TEST(CsvReader, SkipsBlankLines) {
  auto reader = CsvReader::from_string("\n\na\n\r\n\nb\n\n");
  EXPECT_THAT(next_row(*reader), ElementsAre("a"));
  EXPECT_EQ(reader->line(), 3);
  EXPECT_THAT(next_row(*reader), ElementsAre("b"));
  EXPECT_EQ(reader->line(), 6);
  EXPECT_TRUE(at_end(*reader));
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsAnErrorAndReadingGoesOn) {
  auto reader = CsvReader::from_string("a,b\n1,5\" screen,x\n2,ok\n");
  std::vector<std::string_view> fields;
  EXPECT_THAT(next_row(*reader), ElementsAre("a", "b"));
  EXPECT_THAT(reader->next(&fields),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("line 2: column 2: unexpected '\"' inside an unquoted field")));
  EXPECT_EQ(reader->line(), 2);
  EXPECT_TRUE(fields.empty());
  EXPECT_THAT(next_row(*reader), ElementsAre("2", "ok"));
  EXPECT_EQ(reader->line(), 3);
  EXPECT_TRUE(at_end(*reader));
}

TEST(CsvReader, TextAfterClosingQuoteIsAnErrorAndReadingGoesOn) {
  auto reader = CsvReader::from_string("1,\"ab\"c,d\n2,\"x\"\r\r\n3,y\n");
  std::vector<std::string_view> fields;
  EXPECT_THAT(reader->next(&fields),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("line 1: column 2: unexpected text after the closing quote")));
  EXPECT_THAT(reader->next(&fields),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("line 2: column 2: unexpected text after the closing quote")));
  EXPECT_THAT(next_row(*reader), ElementsAre("3", "y"));
  EXPECT_EQ(reader->line(), 3);
}

TEST(CsvReader, ErrorInsideMultiLineRecordResumesAfterTheErrorLine) {
  auto reader = CsvReader::from_string("\"a\nb\",c\"d\nx,y\n");
  std::vector<std::string_view> fields;
  EXPECT_THAT(reader->next(&fields), StatusIs(StatusCode::kInvalidArgument,
                                              HasSubstr("line 2: column 2: unexpected '\"'")));
  EXPECT_EQ(reader->line(), 1);  // where the bad record started
  EXPECT_THAT(next_row(*reader), ElementsAre("x", "y"));
  EXPECT_EQ(reader->line(), 3);
}

TEST(CsvReader, UnterminatedQuoteIsAnErrorAndReadingResumesOnTheNextLine) {
  auto reader = CsvReader::from_string("a,b\n1,\"open\n2,x\n3,y");
  std::vector<std::string_view> fields;
  EXPECT_THAT(next_row(*reader), ElementsAre("a", "b"));
  EXPECT_THAT(
      reader->next(&fields),
      StatusIs(StatusCode::kInvalidArgument,
               HasSubstr("line 2: column 2: unterminated quoted field; expected a closing")));
  EXPECT_THAT(next_row(*reader), ElementsAre("2", "x"));
  EXPECT_EQ(reader->line(), 3);
  EXPECT_THAT(next_row(*reader), ElementsAre("3", "y"));
  EXPECT_EQ(reader->line(), 4);
  EXPECT_TRUE(at_end(*reader));
}

TEST(CsvReader, InvalidUtf8NamesTheColumnAndSkipsTheRecord) {
  auto reader = CsvReader::from_string("a,b,c\n1,caf\xE9,x\n\"multi\nline\",\"\xC3\x28\"\n2,ok\n");
  std::vector<std::string_view> fields;
  EXPECT_THAT(next_row(*reader), ElementsAre("a", "b", "c"));
  EXPECT_THAT(reader->next(&fields),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: column 2: invalid UTF-8")));
  EXPECT_THAT(reader->next(&fields),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 3: column 2: invalid UTF-8")));
  EXPECT_THAT(next_row(*reader), ElementsAre("2", "ok"));
  EXPECT_EQ(reader->line(), 5);
  // Valid multi-byte text passes.
  EXPECT_THAT(read_all("caf\xC3\xA9,\"\xE2\x82\xAC\"\n"),
              ElementsAre(ElementsAre("caf\xC3\xA9", "\xE2\x82\xAC")));
}

TEST(CsvReader, RecordOver16MiBIsAnErrorFromAString) {
  std::string text = "a,b\n" + std::string(CsvReader::kMaxRecordBytes + 1, 'x') + "\nok,1\n";
  auto reader = CsvReader::from_string(std::move(text));
  std::vector<std::string_view> fields;
  EXPECT_THAT(next_row(*reader), ElementsAre("a", "b"));
  EXPECT_THAT(reader->next(&fields), StatusIs(StatusCode::kInvalidArgument,
                                              HasSubstr("line 2: record longer than 16 MiB")));
  EXPECT_THAT(next_row(*reader), ElementsAre("ok", "1"));
  EXPECT_EQ(reader->line(), 3);
}

TEST(CsvReader, RecordOver16MiBIsAnErrorFromAFile) {
  TempDir dir;
  // One over-long physical line, then a quoted field that never closes within the limit.
  std::string text = "a,b\n" + std::string(CsvReader::kMaxRecordBytes + kBlock, 'x') + "\nok,1\n" +
                     "\"" + std::string(CsvReader::kMaxRecordBytes + kBlock, 'y') + "\nz,2\n";
  write_file(dir / "long.csv", text);
  auto reader = std::move(CsvReader::open(dir / "long.csv")).value();
  std::vector<std::string_view> fields;
  EXPECT_THAT(next_row(*reader), ElementsAre("a", "b"));
  EXPECT_THAT(reader->next(&fields), StatusIs(StatusCode::kInvalidArgument,
                                              HasSubstr("line 2: record longer than 16 MiB")));
  EXPECT_THAT(next_row(*reader), ElementsAre("ok", "1"));
  EXPECT_EQ(reader->line(), 3);
  EXPECT_THAT(reader->next(&fields), StatusIs(StatusCode::kInvalidArgument,
                                              HasSubstr("line 4: record longer than 16 MiB")));
  EXPECT_THAT(next_row(*reader), ElementsAre("z", "2"));
  EXPECT_EQ(reader->line(), 5);
  EXPECT_TRUE(at_end(*reader));
}

TEST(CsvReader, ReadsAFileInSeveralBlocks) {
  TempDir dir;
  std::string text = "id,name,note,amount\r\n";
  std::int64_t rows = 0;
  std::int64_t lines = 2;  // the line the next row starts on
  auto add_row = [&](const std::string& row) {
    text += row;
    ++rows;
    for (char c : row) lines += c == '\n' ? 1 : 0;
  };
  // Rows whose awkward part sits exactly on a block boundary (the reader reads 1 MiB at a time):
  // a quoted field spanning it, a doubled quote split across it, and a CRLF split across it.
  bool spanned = false;
  bool split_pair = false;
  bool split_crlf = false;
  std::size_t pair_filler = 0;
  for (int i = 0; i < 50'000 && rows < 40'000; ++i) {
    if (!spanned && text.size() + 200 > kBlock) {
      add_row("span,\"" + std::string(150, 'a') + ",\"\"\n" + std::string(150, 'b') + "\",x\r\n");
      spanned = true;
      continue;
    }
    if (!split_pair && text.size() + 200 > 2 * kBlock) {
      // The first quote of the pair is the last byte of the second block.
      pair_filler = 2 * kBlock - 1 - (text.size() + 6);
      add_row("pair,\"" + std::string(pair_filler, 'p') + "\"\"q\",y\r\n");
      split_pair = true;
      continue;
    }
    if (!split_crlf && text.size() + 200 > 3 * kBlock) {
      // The CR is the last byte of the third block.
      const std::size_t filler = 3 * kBlock - 1 - (text.size() + 5);
      add_row("crlf," + std::string(filler, 'c') + "\r\n");
      split_crlf = true;
      continue;
    }
    add_row(std::to_string(i) + ",name " + std::to_string(i) + ",\"note, with \"\"quotes\"\" " +
            std::to_string(i) + "\"," + std::to_string(i * 7) + ".25," + std::string(40, 'z') +
            "\r\n");
  }
  const std::int64_t last_line = lines;
  add_row("last,\"final\nvalue\",end,0");  // and no final newline
  ASSERT_TRUE(spanned && split_pair && split_crlf);
  ASSERT_GT(text.size(), 3 * kBlock + 1000);
  write_file(dir / "big.csv", text);

  auto opened = CsvReader::open(dir / "big.csv");
  ASSERT_OK(opened);
  CsvReader& reader = **opened;
  EXPECT_EQ(reader.total_bytes(), static_cast<std::int64_t>(text.size()));
  EXPECT_THAT(next_row(reader), ElementsAre("id", "name", "note", "amount"));
  std::vector<std::string_view> fields;
  std::int64_t count = 0;
  Row last;
  for (;;) {
    auto r = reader.next(&fields);
    ASSERT_OK(r);
    if (!*r) break;
    ++count;
    if (fields[0] == "span") {
      EXPECT_EQ(fields[1], std::string(150, 'a') + ",\"\n" + std::string(150, 'b'));
    } else if (fields[0] == "pair") {
      EXPECT_EQ(fields[1], std::string(pair_filler, 'p') + "\"q");
      EXPECT_EQ(fields[2], "y");
    } else if (fields[0] == "crlf") {
      ASSERT_EQ(fields.size(), 2U);
      EXPECT_EQ(fields[1].back(), 'c');
    } else if (fields[0] == "39996") {
      EXPECT_THAT(fields, ElementsAre("39996", "name 39996", "note, with \"quotes\" 39996",
                                      "279972.25", std::string(40, 'z')));
    }
    last.assign(fields.begin(), fields.end());
  }
  EXPECT_EQ(count, rows);
  EXPECT_THAT(last, ElementsAre("last", "final\nvalue", "end", "0"));
  EXPECT_EQ(reader.line(), last_line);
  EXPECT_EQ(reader.bytes_read(), reader.total_bytes());
}

TEST(CsvReader, OpenMissingFileIsNotFoundNamingIt) {
  TempDir dir;
  EXPECT_THAT(CsvReader::open(dir / "none.csv"),
              StatusIs(StatusCode::kNotFound, HasSubstr("none.csv")));
  EXPECT_THAT(CsvReader::open(dir.path()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is a directory")));
}

TEST(CsvReader, ReportsProgress) {
  auto reader = CsvReader::from_string("a,b\n1,2\n");
  EXPECT_EQ(reader->total_bytes(), 8);
  EXPECT_EQ(reader->bytes_read(), 0);
  next_row(*reader);
  EXPECT_EQ(reader->bytes_read(), 4);
  next_row(*reader);
  EXPECT_EQ(reader->bytes_read(), 8);
}

// ---------------------------------------------------------------------------------------------
// NDJSON

// Reads the next record; fails the test on an error or at the end.
void next_record(NdjsonReader& reader, JsonRecord* record) {
  auto r = reader.next(record);
  ASSERT_OK(r);
  ASSERT_TRUE(*r) << "expected a record";
}

bool at_end(NdjsonReader& reader) {
  JsonRecord record;
  auto r = reader.next(&record);
  return r.ok() && !*r;
}

TEST(NdjsonReader, ReadsTypedValues) {
  auto reader = NdjsonReader::from_string(
      R"({"i":42,"neg":-7,"min":-9223372036854775808,"max":9223372036854775807,)"
      R"("d":2.5,"e":-1.5e3,"e2":1E-2,"t":true,"f":false,"n":null,)"
      R"("s":"a\"b\\c\nd\u00e9\ud83d\ude00","empty":"","big":9223372036854775808,)"
      R"("huge":123456789012345678901234567890,"esc\u0041key":1,)"
      R"("long":1.51844674407370955161654775808,"long2":1000000000.000000001,)"
      R"("long3":0.99999999999999999999,"long4":0.184467440737095516165e3,"tiny":1e-400,)"
      R"("denormal":5e-324,"negzero":-0.0,"intzero":-0,)"
      R"("manyzeros":0.000000000000000000000000012345})"
      "\n");
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 1);
  ASSERT_EQ(rec.fields.size(), 24U);
  EXPECT_EQ(rec.fields[0].first, "i");
  EXPECT_EQ(rec.field("i")->kind, JsonScalar::Kind::kInt);
  EXPECT_EQ(rec.field("i")->i, 42);
  EXPECT_EQ(rec.field("neg")->i, -7);
  EXPECT_EQ(rec.field("min")->i, INT64_MIN);
  EXPECT_EQ(rec.field("max")->i, INT64_MAX);
  EXPECT_EQ(rec.field("d")->kind, JsonScalar::Kind::kDouble);
  EXPECT_DOUBLE_EQ(rec.field("d")->d, 2.5);
  EXPECT_DOUBLE_EQ(rec.field("e")->d, -1500.0);
  EXPECT_EQ(rec.field("e2")->kind, JsonScalar::Kind::kDouble);
  EXPECT_DOUBLE_EQ(rec.field("e2")->d, 0.01);
  EXPECT_EQ(rec.field("t")->kind, JsonScalar::Kind::kBool);
  EXPECT_TRUE(rec.field("t")->b);
  EXPECT_FALSE(rec.field("f")->b);
  EXPECT_EQ(rec.field("n")->kind, JsonScalar::Kind::kNull);
  EXPECT_EQ(rec.field("s")->kind, JsonScalar::Kind::kString);
  EXPECT_EQ(rec.field("s")->s, "a\"b\\c\nd\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(rec.field("empty")->s, "");
  EXPECT_EQ(rec.field("big")->kind, JsonScalar::Kind::kDouble);
  EXPECT_DOUBLE_EQ(rec.field("big")->d, 9223372036854775808.0);
  EXPECT_EQ(rec.field("huge")->kind, JsonScalar::Kind::kDouble);
  EXPECT_DOUBLE_EQ(rec.field("huge")->d, 1.2345678901234568e29);
  EXPECT_NE(rec.field("escAkey"), nullptr);
  // Many significant digits (simdjson 3.0.1's get_number() returns 0 for these).
  EXPECT_DOUBLE_EQ(rec.field("long")->d, 1.5184467440737095);
  EXPECT_DOUBLE_EQ(rec.field("long2")->d, 1e9);
  // ... and its get_double() returns garbage for these (0.0777 for the first).
  EXPECT_DOUBLE_EQ(rec.field("long3")->d, 1.0);
  EXPECT_DOUBLE_EQ(rec.field("long4")->d, 184.46744073709553);
  EXPECT_EQ(rec.field("tiny")->kind, JsonScalar::Kind::kDouble);  // underflow reads as zero
  EXPECT_EQ(rec.field("tiny")->d, 0.0);
  EXPECT_EQ(rec.field("denormal")->d, 4.9406564584124654e-324);
  EXPECT_EQ(rec.field("negzero")->kind, JsonScalar::Kind::kDouble);
  EXPECT_TRUE(std::signbit(rec.field("negzero")->d));
  EXPECT_EQ(rec.field("intzero")->kind, JsonScalar::Kind::kInt);
  EXPECT_EQ(rec.field("intzero")->i, 0);
  EXPECT_DOUBLE_EQ(rec.field("manyzeros")->d, 1.2345e-26);
  EXPECT_EQ(rec.field("absent"), nullptr);
  EXPECT_FALSE(rec.has_properties);
  EXPECT_FALSE(rec.has_proof);
  EXPECT_TRUE(at_end(*reader));
}

TEST(NdjsonReader, ReadsPropertiesAndProof) {
  auto reader = NdjsonReader::from_string(
      R"({"subject":"c1","type":"purchase","properties":{"amount":12.5,"sku":"X1","qty":2},)"
      R"("ts":"2026-03-01T10:00:00Z"})"
      "\n"
      R"({"subject":"c1","purpose":"marketing",)"
      R"("proof":{"method":"web_form","ip":"203.0.113.9"},"properties":{}})"
      "\n"
      R"({"subject":"c2"})");
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_TRUE(rec.has_properties);
  EXPECT_FALSE(rec.has_proof);
  ASSERT_EQ(rec.fields.size(), 3U);
  EXPECT_EQ(rec.fields[2].first, "ts");
  ASSERT_EQ(rec.properties.size(), 3U);
  EXPECT_EQ(rec.properties[0].first, "amount");
  EXPECT_DOUBLE_EQ(rec.properties[0].second.d, 12.5);
  EXPECT_EQ(rec.properties[1].second.s, "X1");
  EXPECT_EQ(rec.properties[2].second.i, 2);

  next_record(*reader, &rec);
  EXPECT_TRUE(rec.has_proof);
  EXPECT_TRUE(rec.has_properties);
  EXPECT_TRUE(rec.properties.empty());
  ASSERT_EQ(rec.proof.size(), 2U);
  EXPECT_EQ(rec.proof[1].first, "ip");
  EXPECT_EQ(rec.proof[1].second.s, "203.0.113.9");
  EXPECT_EQ(rec.field("purpose")->s, "marketing");

  next_record(*reader, &rec);  // the previous record's parts are cleared
  EXPECT_FALSE(rec.has_properties);
  EXPECT_FALSE(rec.has_proof);
  EXPECT_TRUE(rec.properties.empty());
  EXPECT_TRUE(rec.proof.empty());
  EXPECT_EQ(reader->line(), 3);
}

// Reads one line that must fail, then checks that the next line still reads.
void expect_line_error(const std::string& bad, const std::string& message) {
  SCOPED_TRACE(bad);
  auto reader = NdjsonReader::from_string("{\"ok\":0}\n" + bad + "\n{\"ok\":1}\n");
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_THAT(reader->next(&rec),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: " + message)));
  EXPECT_EQ(reader->line(), 2);
  EXPECT_TRUE(rec.fields.empty());
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 3);
  ASSERT_NE(rec.field("ok"), nullptr);
  EXPECT_EQ(rec.field("ok")->i, 1);
}

TEST(NdjsonReader, InvalidJsonSaysWhy) {
  expect_line_error(R"({"a":1,})", "not valid JSON: The JSON document has an improper structure");
  expect_line_error(R"({"a" 1})", "not valid JSON: The JSON document has an improper structure");
  expect_line_error(R"({"a":"open)", "not valid JSON: A string is opened, but never closed");
  expect_line_error(R"({"a":1)", "not valid JSON: ");
  expect_line_error(R"({"a":1}})", "not valid JSON: unexpected text after the closing '}'");
  expect_line_error(R"({"a":1}{"b":2})", "not valid JSON: unexpected text after the closing '}'");
  expect_line_error(R"({"a":01})", "not valid JSON: field \"a\": malformed number");
  expect_line_error(R"({"a":nul})", "not valid JSON: field \"a\": expected null");
  expect_line_error(R"({"a":tru})", "not valid JSON: field \"a\": expected true or false");
  expect_line_error(R"({"a":"\ud800"})",
                    "not valid JSON: field \"a\": Problem while parsing a string");
  expect_line_error("{\x01\x0c\x0b,", "not valid JSON: ");
}

TEST(NdjsonReader, NonObjectLineIsAnError) {
  expect_line_error("[1,2]", "expected a JSON object, got an array");
  expect_line_error("\"text\"", "expected a JSON object, got a string");
  expect_line_error("5", "expected a JSON object, got a number");
  expect_line_error("null", "expected a JSON object, got null");
}

TEST(NdjsonReader, NestedValuesOutsidePropertiesAndProofAreErrors) {
  expect_line_error(R"({"a":1,"ctx":{"x":1}})",
                    "field \"ctx\": expected a string, number, boolean or null, got an object");
  expect_line_error(R"({"tags":["a","b"]})",
                    "field \"tags\": expected a string, number, boolean or null, got an array");
  expect_line_error(
      R"({"properties":{"a":1,"x":{"y":1}}})",
      "field \"properties.x\": expected a string, number, boolean or null, got an object");
  expect_line_error(
      R"({"proof":{"list":[1]}})",
      "field \"proof.list\": expected a string, number, boolean or null, got an array");
  expect_line_error(R"({"properties":5})",
                    "field \"properties\": expected an object, got a number");
  expect_line_error(R"({"proof":null})", "field \"proof\": expected an object, got null");
}

TEST(NdjsonReader, DuplicateKeysAreErrors) {
  expect_line_error(R"({"a":1,"b":2,"a":3})", "duplicate key \"a\"");
  expect_line_error(R"({"a":1,"\u0061":2})", "duplicate key \"a\"");
  expect_line_error(R"({"properties":{"k":1,"k":2}})", "duplicate key \"properties.k\"");
  expect_line_error(R"({"proof":{},"proof":{}})", "duplicate key \"proof\"");
  expect_line_error(R"({"properties":{},"x":1,"properties":{}})", "duplicate key \"properties\"");
  // Past the linear-scan size: many distinct keys pass, one repeat is found.
  std::string many = "{";
  for (int i = 0; i < 1000; ++i)
    many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  auto reader = NdjsonReader::from_string(many + "\"last\":1}\n" + many + "\"k517\":1}\n");
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_EQ(rec.fields.size(), 1001U);
  EXPECT_EQ(rec.field("k999")->i, 999);
  EXPECT_THAT(reader->next(&rec),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: duplicate key \"k517\"")));
  // The same key in different objects is fine.
  auto ok = NdjsonReader::from_string(R"({"a":1,"properties":{"a":2},"proof":{"a":3}})");
  next_record(*ok, &rec);
  EXPECT_EQ(rec.properties[0].second.i, 2);
}

TEST(NdjsonReader, InvalidUtf8IsAnError) {
  expect_line_error("{\"a\":\"caf\xE9\"}", "invalid UTF-8");
  expect_line_error("{\"caf\xC3\x28\":1}", "invalid UTF-8");
}

TEST(NdjsonReader, NumberOutOfRangeIsAnError) {
  expect_line_error(R"({"x":1e400})",
                    "field \"x\": number fits neither a 64-bit integer nor a double");
  expect_line_error(R"({"properties":{"x":-2e308}})",
                    "field \"properties.x\": number fits neither a 64-bit integer nor a double");
  expect_line_error(R"({"x":0.00000000000000000000000000001e400})",
                    "field \"x\": number fits neither a 64-bit integer nor a double");
  expect_line_error(R"({"x":123456789012345678901234567890e300})",
                    "field \"x\": number fits neither a 64-bit integer nor a double");
}

TEST(NdjsonReader, SkipsBlankLinesAndAcceptsCrlf) {
  auto reader = NdjsonReader::from_string("\n  \n{\"a\":1}\r\n\t\r\n\r\n{\"a\":2}\r\n\n");
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 3);
  EXPECT_EQ(rec.field("a")->i, 1);
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 6);
  EXPECT_EQ(rec.field("a")->i, 2);
  EXPECT_TRUE(at_end(*reader));
}

TEST(NdjsonReader, AcceptsMissingFinalNewline) {
  auto reader = NdjsonReader::from_string("{\"a\":1}\n{\"a\":2}");
  JsonRecord rec;
  next_record(*reader, &rec);
  next_record(*reader, &rec);
  EXPECT_EQ(rec.field("a")->i, 2);
  EXPECT_EQ(reader->line(), 2);
  EXPECT_TRUE(at_end(*reader));
}

TEST(NdjsonReader, ContinuesAfterErrorsWithRightLineNumbers) {
  auto reader = NdjsonReader::from_string("{\"a\":1}\nnope\n\n{\"a\":[1]}\n{\"a\":3}\n{");
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_THAT(reader->next(&rec), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: ")));
  EXPECT_THAT(reader->next(&rec),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 4: field \"a\"")));
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 5);
  EXPECT_EQ(rec.field("a")->i, 3);
  EXPECT_THAT(reader->next(&rec),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 6: not valid JSON")));
  EXPECT_TRUE(at_end(*reader));
}

TEST(NdjsonReader, LineOver16MiBIsAnError) {
  const std::string huge = "{\"s\":\"" + std::string(NdjsonReader::kMaxLineBytes, 'x') + "\"}";
  {
    auto reader = NdjsonReader::from_string(huge + "\n{\"a\":2}\n");
    JsonRecord rec;
    EXPECT_THAT(reader->next(&rec), StatusIs(StatusCode::kInvalidArgument,
                                             HasSubstr("line 1: line longer than 16 MiB")));
    next_record(*reader, &rec);
    EXPECT_EQ(reader->line(), 2);
  }
  TempDir dir;
  write_file(dir / "huge.ndjson", "{\"a\":1}\n" + huge + huge + "\n{\"a\":3}\n" + huge);
  auto reader = std::move(NdjsonReader::open(dir / "huge.ndjson")).value();
  JsonRecord rec;
  next_record(*reader, &rec);
  EXPECT_THAT(reader->next(&rec),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: line longer than 16 MiB")));
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 3);
  EXPECT_EQ(rec.field("a")->i, 3);
  EXPECT_THAT(reader->next(&rec),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 4: line longer than 16 MiB")));
  EXPECT_TRUE(at_end(*reader));
  EXPECT_EQ(reader->bytes_read(), reader->total_bytes());
}

TEST(NdjsonReader, ReadsLineLongerThanABlock) {
  TempDir dir;
  const std::string value(3 * kBlock + 17, 'v');
  write_file(dir / "long.ndjson", "{\"a\":1}\n{\"s\":\"" + value + "\",\"n\":5}\n{\"a\":3}");
  auto reader = std::move(NdjsonReader::open(dir / "long.ndjson")).value();
  JsonRecord rec;
  next_record(*reader, &rec);
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 2);
  EXPECT_EQ(rec.field("s")->s, value);
  EXPECT_EQ(rec.field("n")->i, 5);
  next_record(*reader, &rec);
  EXPECT_EQ(reader->line(), 3);
  EXPECT_TRUE(at_end(*reader));
}

TEST(NdjsonReader, ReadsAFileInSeveralBlocks) {
  TempDir dir;
  std::string text;
  constexpr int kLines = 40'000;
  for (int i = 0; i < kLines; ++i) {
    text += R"({"event_id":"e)" + std::to_string(i) + R"(","subject":"cust-)" +
            std::to_string(i % 977) + R"(","type":"page_view","ts":"2026-03-01T12:00:00Z",)" +
            R"("properties":{"path":"/p/)" + std::to_string(i) + R"(","ms":)" +
            std::to_string(i * 3) + "}}" + (i % 2 == 0 ? "\r\n" : "\n");
  }
  ASSERT_GT(text.size(), 4 * kBlock);
  write_file(dir / "events.ndjson", text);
  auto opened = NdjsonReader::open(dir / "events.ndjson");
  ASSERT_OK(opened);
  NdjsonReader& reader = **opened;
  JsonRecord rec;
  int count = 0;
  for (;;) {
    auto r = reader.next(&rec);
    ASSERT_OK(r);
    if (!*r) break;
    ASSERT_EQ(rec.field("event_id")->s, "e" + std::to_string(count));
    ASSERT_EQ(rec.properties[1].second.i, count * 3);
    ++count;
  }
  EXPECT_EQ(count, kLines);
  EXPECT_EQ(reader.line(), kLines);
  EXPECT_EQ(reader.bytes_read(), static_cast<std::int64_t>(text.size()));
  EXPECT_EQ(reader.total_bytes(), static_cast<std::int64_t>(text.size()));
}

TEST(NdjsonReader, OpenMissingFileIsNotFoundNamingIt) {
  TempDir dir;
  EXPECT_THAT(NdjsonReader::open(dir / "none.ndjson"),
              StatusIs(StatusCode::kNotFound, HasSubstr("none.ndjson")));
}

}  // namespace
}  // namespace consentric::ingest
