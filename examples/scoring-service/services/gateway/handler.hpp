// The gateway's request handler: features, then a score, then a decision.
#pragma once

#include "features/feature_client.hpp"
#include "scorer/scorer.hpp"

namespace gateway {

struct Decision {
  bool approved = true;
  double risk = 0;
};

class Handler {
 public:
  Handler(features::FeatureClient& features, scorer::Scorer& scorer) : features_(features), scorer_(scorer) {}
  Decision handle(const features::Transaction& txn);

 private:
  features::FeatureClient& features_;
  scorer::Scorer& scorer_;
};

// Writes one line to the request log.
void log_info(const std::string& event, const std::string& detail);

}  // namespace gateway
