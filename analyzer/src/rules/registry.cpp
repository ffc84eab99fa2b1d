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
  };
  return registry;
}

}  // namespace mlarch
