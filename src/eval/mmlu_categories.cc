// The grouping of MMLU's 57 subjects into the four categories of Hendrycks et al., as
// lm-evaluation-harness reports them.
#include <map>
#include <string>

#include "eval/task_data.h"

namespace densing::eval {

const char* MmluCategory(const std::string& subject) {
  static const std::map<std::string, const char*> kCategory = [] {
    std::map<std::string, const char*> m;
    for (const char* s : {"abstract_algebra", "anatomy", "astronomy", "college_biology", "college_chemistry",
                          "college_computer_science", "college_mathematics", "college_physics",
                          "computer_security", "conceptual_physics", "electrical_engineering",
                          "elementary_mathematics", "high_school_biology", "high_school_chemistry",
                          "high_school_computer_science", "high_school_mathematics", "high_school_physics",
                          "high_school_statistics", "machine_learning"}) {
      m[s] = "stem";
    }
    for (const char* s : {"formal_logic", "high_school_european_history", "high_school_us_history",
                          "high_school_world_history", "international_law", "jurisprudence",
                          "logical_fallacies", "moral_disputes", "moral_scenarios", "philosophy",
                          "prehistory", "professional_law", "world_religions"}) {
      m[s] = "humanities";
    }
    for (const char* s : {"econometrics", "high_school_geography", "high_school_government_and_politics",
                          "high_school_macroeconomics", "high_school_microeconomics",
                          "high_school_psychology", "human_sexuality", "professional_psychology",
                          "public_relations", "security_studies", "sociology", "us_foreign_policy"}) {
      m[s] = "social_sciences";
    }
    for (const char* s : {"business_ethics", "clinical_knowledge", "college_medicine", "global_facts",
                          "human_aging", "management", "marketing", "medical_genetics", "miscellaneous",
                          "nutrition", "professional_accounting", "professional_medicine", "virology"}) {
      m[s] = "other";
    }
    return m;
  }();
  auto it = kCategory.find(subject);
  return it == kCategory.end() ? "other" : it->second;
}

}  // namespace densing::eval
