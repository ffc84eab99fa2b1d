// The explicit registry of native rules: one line per rule, one file per rule beside this one.
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {
void orphan_component(const RuleContext&);
void single_replica_on_path(const RuleContext&);
void model_server_unmonitored(const RuleContext&);
void component_saturated(const RuleContext&);
void component_near_saturation(const RuleContext&);
void personal_data_unencrypted_flow(const RuleContext&);
void overprovisioned_component(const RuleContext&);
void personal_data_reaches_external(const RuleContext&);
void public_endpoint_reaches_model_server(const RuleContext&);
void llm_untrusted_input_without_guardrail(const RuleContext&);
void llm_output_without_validation(const RuleContext&);
void single_point_of_failure(const RuleContext&);
void feedback_loop_without_mitigation(const RuleContext&);
void training_serving_skew(const RuleContext&);
void undeclared_consumer(const RuleContext&);
void path_step_without_flow(const RuleContext&);
void workload_path_loop(const RuleContext&);
void personal_data_reaches_unencrypted_flow(const RuleContext&);
void personal_data_reaches_unauthenticated_endpoint(const RuleContext&);
void personal_data_crosses_region(const RuleContext&);
void latency_budget_exceeded(const RuleContext&);
void over_budget(const RuleContext&);
void model_does_not_fit_memory(const RuleContext&);
void gpu_without_autoscaling(const RuleContext&);
void idle_gpu_at_peak(const RuleContext&);
}  // namespace mlarch::rules

namespace mlarch {

std::span<const NativeRule> native_rules() {
  static const NativeRule registry[] = {
      {"BP003", rules::orphan_component},
      {"REL001", rules::single_replica_on_path},
      {"REL002", rules::model_server_unmonitored},
      {"REL003", rules::component_saturated},
      {"REL004", rules::component_near_saturation},
      {"SEC004", rules::personal_data_unencrypted_flow},
      {"COST002", rules::overprovisioned_component},
      {"SEC020", rules::personal_data_reaches_external},
      {"SEC030", rules::personal_data_reaches_unencrypted_flow},
      {"SEC031", rules::personal_data_reaches_unauthenticated_endpoint},
      {"ETH030", rules::personal_data_crosses_region},
      {"SEC021", rules::public_endpoint_reaches_model_server},
      {"SEC022", rules::llm_untrusted_input_without_guardrail},
      {"SEC023", rules::llm_output_without_validation},
      {"REL020", rules::single_point_of_failure},
      {"REL021", rules::workload_path_loop},
      {"REL022", rules::path_step_without_flow},
      {"BP020", rules::feedback_loop_without_mitigation},
      {"BP021", rules::training_serving_skew},
      {"BP022", rules::undeclared_consumer},
      {"REL030", rules::latency_budget_exceeded},
      {"COST020", rules::over_budget},
      {"COST021", rules::model_does_not_fit_memory},
      {"COST022", rules::gpu_without_autoscaling},
      {"COST023", rules::idle_gpu_at_peak},
  };
  return registry;
}

}  // namespace mlarch
