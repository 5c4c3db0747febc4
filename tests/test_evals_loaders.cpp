// Benchmark files: the shipped LongBench and multiple-choice samples (real
// held-out text), malformed lines rejected with their line number, and
// LongBench's middle truncation that never cuts the question.
#include <catch2/catch.hpp>

#include "core/data/tokenizer.h"
#include "core/util/error.h"
#include "evals/benchmark_files.h"
#include "test_helpers.h"

using namespace lengen;
using namespace lengen::evals;

namespace {

const std::string kLongBench = "evals/data/longbench_austen.jsonl";
const std::string kChoice = "evals/data/choice_austen.jsonl";

const Tokenizer& tokenizer() {
  static const Tokenizer t(testing::tokenizer_path());
  return t;
}

// Loads `lines` as a file with `loader` and returns the error it raised.
template <typename Loader>
Error load_error(const testing::ScratchDir& dir, const std::string& lines, Loader loader) {
  const std::string path = dir.file("bad.jsonl");
  testing::write_file(path, lines);
  try {
    loader(path);
  } catch (const Error& e) {
    return e;
  }
  FAIL("no error for:\n" << lines);
  throw;
}

const char* kGoodLongBench =
    R"({"input": "Who?", "context": "Emma met Harriet.", "answers": ["Emma"], "all_classes": null, "length": 3})";
const char* kGoodChoice =
    R"({"context": "Emma met Harriet.", "question": "Who?", "options": ["Emma", "Jane"], "gold": 0})";

}  // namespace

TEST_CASE("the shipped LongBench and multiple-choice samples load as real text", "[evals]") {
  const auto records = load_longbench_jsonl(testing::source_path(kLongBench));
  REQUIRE(records.size() == 8);
  for (const auto& r : records) {
    CHECK(r.context.size() > 3000);  // a whole chapter
    CHECK(r.length > 500);
    CHECK_FALSE(r.input.empty());
    if (r.all_classes.empty()) {
      for (const auto& a : r.answers) CHECK(r.context.find(a) != std::string::npos);
    }
  }
  CHECK(records[2].all_classes.size() == 5);
  CHECK(records[2].answers.front() == "Kitty");
  const auto choices = load_choice_jsonl(testing::source_path(kChoice));
  REQUIRE(choices.size() == 6);
  for (const auto& c : choices) {
    CHECK(c.options.size() == 4);
    CHECK(c.gold >= 0);
    CHECK(c.gold < 4);
  }
  CHECK(choices[0].options[static_cast<size_t>(choices[0].gold)] == "Mr. Bingley");
}

TEST_CASE("malformed JSONL lines are rejected with the file and line number", "[evals][errors]") {
  testing::ScratchDir dir("evals-bad");
  const std::string good = std::string(kGoodLongBench) + "\n";
  struct Case {
    std::string line;
    std::string fragment;
  };
  const std::vector<Case> longbench_cases = {
      {"{not json", "not JSON"},
      {"[1, 2]", "not a JSON object"},
      {R"({"context": "c", "answers": ["a"], "all_classes": null, "length": 1})",
       "missing field \"input\""},
      {R"({"input": 3, "context": "c", "answers": ["a"], "all_classes": null, "length": 1})",
       "\"input\" is not a string"},
      {R"({"input": "q", "context": "c", "answers": [], "all_classes": null, "length": 1})",
       "\"answers\" is empty"},
      {R"({"input": "q", "context": "c", "answers": "a", "all_classes": null, "length": 1})",
       "\"answers\" is not a list"},
      {R"({"input": "q", "context": "c", "answers": ["a"], "all_classes": ["b"], "length": 1})",
       "not one of \"all_classes\""},
      {R"({"input": "q", "context": "c", "answers": ["a"], "all_classes": null, "length": "long"})",
       "\"length\""},
  };
  for (const auto& c : longbench_cases) {
    const Error e = load_error(dir, good + "\n" + c.line + "\n" + good, load_longbench_jsonl);
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(e.subject() == dir.file("bad.jsonl") + ":3");  // line 2 is blank: line numbers count it
    CHECK_THAT(e.message(), Catch::Contains(c.fragment));
    CHECK_THAT(e.hint(), Catch::Contains("answers"));
  }
  const std::string good_choice = std::string(kGoodChoice) + "\n";
  const std::vector<Case> choice_cases = {
      {R"({"context": "c", "question": "q", "options": ["a"], "gold": 0})", "at least 2"},
      {R"({"context": "c", "question": "q", "options": ["a", "b"], "gold": 2})", "not an index"},
      {R"({"context": "c", "question": "q", "options": ["a", "b"], "gold": "a"})", "\"gold\""},
      {R"({"context": "c", "options": ["a", "b"], "gold": 0})", "missing field \"question\""},
  };
  for (const auto& c : choice_cases) {
    const Error e = load_error(dir, good_choice + c.line + "\n", load_choice_jsonl);
    CHECK(e.subject() == dir.file("bad.jsonl") + ":2");
    CHECK_THAT(e.message(), Catch::Contains(c.fragment));
  }
  CHECK_THROWS_WITH(load_choice_jsonl(dir.file("absent.jsonl")), Catch::Contains("cannot open"));
}

TEST_CASE("middle truncation keeps both ends and never the question's tokens", "[evals]") {
  const std::vector<int32_t> prompt = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  int64_t removed = -1;
  CHECK(truncate_middle(prompt, 10, 2, &removed) == prompt);
  CHECK(removed == 0);
  CHECK(truncate_middle(prompt, 6, 2, &removed) == std::vector<int32_t>{0, 1, 2, 7, 8, 9});
  CHECK(removed == 4);
  CHECK(truncate_middle(prompt, 7, 2, &removed) == std::vector<int32_t>{0, 1, 2, 6, 7, 8, 9});
  // A question longer than the last half is kept whole; the head gives way.
  CHECK(truncate_middle(prompt, 6, 5, &removed) == std::vector<int32_t>{0, 5, 6, 7, 8, 9});
  CHECK_THROWS_AS(truncate_middle(prompt, 6, 7, &removed), TaskUnsupported);
}

TEST_CASE("a LongBench sample longer than the cell is cut in the middle and keeps its question",
          "[evals]") {
  LongBenchTask task(testing::source_path(kLongBench), tokenizer());
  CHECK(task.name() == "longbench:longbench_austen");
  CHECK(task.sample_count(512, 100) == 8);
  const auto records = load_longbench_jsonl(testing::source_path(kLongBench));
  const std::vector<int32_t> context = tokenizer().encode(records[0].context);
  const std::vector<int32_t> question =
      tokenizer().encode("Question: " + records[0].input + "\nAnswer:");
  REQUIRE(context.size() > 1000);

  const TaskSample s = task.make_sample(256, std::nan(""), 0, 0);
  size_t longest = 0;
  for (const auto& a : s.answers) longest = std::max(longest, a.size());
  CHECK(s.prompt.size() + longest == 256);
  CHECK(s.truncated_tokens ==
        static_cast<int64_t>(context.size() + question.size() + longest) - 256);
  // The question is whole, at the end, where question_position says.
  CHECK(s.question_position == static_cast<int64_t>(s.prompt.size() - question.size()));
  CHECK(std::equal(question.begin(), question.end(), s.prompt.begin() + s.question_position));
  // The first half of the budget is the start of the chapter, the rest its end.
  const size_t head = (256 - longest) / 2;
  CHECK(std::equal(s.prompt.begin(), s.prompt.begin() + static_cast<std::ptrdiff_t>(head),
                   context.begin()));
  CHECK(std::equal(s.prompt.begin() + static_cast<std::ptrdiff_t>(head),
                   s.prompt.begin() + s.question_position,
                   context.end() - (s.question_position - static_cast<int64_t>(head))));
  CHECK(s.answer_texts == records[0].answers);
  CHECK(s.candidates.empty());  // free-form answers: scored by exact match and F1, not ranked

  // A record with all_classes is ranked over them; a long cell needs no cut.
  const TaskSample ranked = task.make_sample(8192, std::nan(""), 0, 2);
  CHECK(ranked.truncated_tokens == 0);
  CHECK(ranked.candidate_texts == records[2].all_classes);
  CHECK(ranked.candidate_texts[ranked.gold] == "Kitty");
}

TEST_CASE("a multiple-choice sample ranks its options with the gold marked", "[evals]") {
  ChoiceTask task(testing::source_path(kChoice), tokenizer());
  CHECK(task.name() == "choice:choice_austen");
  const TaskSample s = task.make_sample(4096, std::nan(""), 0, 1);
  CHECK(s.candidate_texts == std::vector<std::string>{"Jane", "Elizabeth", "Kitty", "Lydia"});
  CHECK(s.gold == 2);
  CHECK(s.answers == std::vector<std::vector<int32_t>>{tokenizer().encode("Kitty")});
  CHECK(tokenizer().decode(
            std::vector<int32_t>(s.prompt.begin() + s.question_position, s.prompt.end())) ==
        "Question: Which daughter does Mrs. Bennet scold for coughing?\nAnswer:");
}
