// The feature client: reads a card's features from the online feature store.
#pragma once

#include <string>
#include <vector>

namespace features {

struct Transaction {
  std::string card_number;
  std::string email;
  double amount = 0;
  std::string merchant;
};

// Features in the order the model expects them.
using FeatureVector = std::vector<double>;

class FeatureClient {
 public:
  explicit FeatureClient(std::string endpoint);
  FeatureVector fetch(const Transaction& txn) const;

 private:
  std::string endpoint_;
};

}  // namespace features
