#include "gateway/handler.hpp"

#include <cstdio>

namespace gateway {

Decision Handler::handle(const features::Transaction& txn) {
  features::FeatureVector f = features_.fetch(txn);
  scorer::Score s = scorer_.score(f);
  log_info("scored", txn.merchant);
  return {!s.block, s.probability};
}

void log_info(const std::string& event, const std::string& detail) {
  std::fprintf(stderr, "%s %s\n", event.c_str(), detail.c_str());
}

}  // namespace gateway
