// Our logits against the reference engine's for every fixture in ../shared/fixtures/logits, with
// the tolerances of its README: the fixture's own tokens go through one batch, every position
// is compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "model/model.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Fixtures() {
  std::vector<std::string> names;
  const fs::path dir = fs::path(testing::SharedDir()) / "fixtures" / "logits";
  if (!fs::exists(dir)) return {"(missing)"};
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// (bound at every position, bound at all but max(1, 5%) of them), by the model file's name.
std::pair<double, double> Tolerance(const std::string& model) {
  for (const char* q : {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "_K", "IQ"}) {
    if (model.find(q) != std::string::npos) return {2.0, 0.15};
  }
  if (model.find("F16") != std::string::npos || model == "llama-2-tiny-random.gguf") return {2e-2, 2e-2};
  return {1e-2, 1e-2};
}

double StdDev(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  s = std::sqrt(s / static_cast<double>(v.size()));
  return s > 0 ? s : 1.0;
}

double LogSumExp(std::span<const float> v) {
  const double max = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (float x : v) sum += std::exp(double{x} - max);
  return max + std::log(sum);
}

class GoldenLogits : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenLogits, MatchesReference) {
  DENSING_REQUIRE_SHARED();
  const std::string dir = testing::SharedDir();
  const nlohmann::json ref =
      nlohmann::json::parse(testing::ReadFile(dir + "/fixtures/logits/" + GetParam() + ".json"));
  const std::string model_name = ref["model"];
  auto model = Model::Load(dir + "/models/" + model_name);
  const std::vector<int32_t> tokens = ref["tokens"];
  ThreadPool pool(2);
  Session session(*model, pool, static_cast<int64_t>(tokens.size()), 64);  // several batches
  const std::span<const float> logits = session.EvalAll(tokens);
  const size_t n_vocab = static_cast<size_t>(session.n_vocab());
  ASSERT_EQ(n_vocab, ref["n_vocab"].get<size_t>());

  const auto [hard, soft] = Tolerance(model_name);
  size_t over_soft = 0, argmax_checked = 0, argmax_same = 0;
  double worst = 0;
  const auto& positions = ref["positions"];
  ASSERT_EQ(positions.size(), tokens.size());
  for (size_t p = 0; p < positions.size(); ++p) {
    const auto& rp = positions[p];
    std::span<const float> ours = logits.subspan(p * n_vocab, n_vocab);
    std::vector<std::pair<int, double>> pairs;  // the reference's (id, logit)
    double scale = 1.0;
    if (rp.contains("logits")) {
      const std::vector<double> v = rp["logits"];
      for (size_t i = 0; i < v.size(); ++i) pairs.emplace_back(static_cast<int>(i), v[i]);
      scale = StdDev(v);
    } else {
      for (const auto& pr : rp["top"]) pairs.emplace_back(pr[0].get<int>(), pr[1].get<double>());
    }
    double e = 0;
    for (const auto& [id, v] : pairs) e = std::max(e, std::abs(v - ours[static_cast<size_t>(id)]) / scale);
    // logsumexp over the whole vocabulary moves by at most the largest change of any one logit
    // (it is 1-Lipschitz in the max norm), so the same bound holds for it; it sees the ids
    // outside a top-K fixture's list, which the comparison above cannot.
    e = std::max(e, std::abs(LogSumExp(ours) - rp["logsumexp"].get<double>()) / scale);
    worst = std::max(worst, e);
    EXPECT_LE(e, hard) << "position " << p;
    over_soft += e > soft;
    std::vector<double> sorted;
    for (const auto& pr : pairs) sorted.push_back(pr.second);
    std::sort(sorted.rbegin(), sorted.rend());
    if (sorted.size() > 1 && sorted[0] - sorted[1] > 0.1 * scale) {
      ++argmax_checked;
      const auto ours_argmax = std::max_element(ours.begin(), ours.end()) - ours.begin();
      argmax_same += ours_argmax == rp["argmax"].get<int64_t>();
    }
  }
  EXPECT_LE(over_soft, std::max<size_t>(1, positions.size() / 20)) << "worst error " << worst;
  EXPECT_LE(argmax_checked - argmax_same, std::max<size_t>(1, argmax_checked / 20));
  RecordProperty("worst_error", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenLogits, ::testing::ValuesIn(Fixtures()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace densing
