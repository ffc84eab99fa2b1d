// The gateway: takes card transactions and answers approve or decline.
#include <iostream>

#include "gateway/handler.hpp"

int main() {
  features::FeatureClient features("https://features.internal/v1/cards");
  scorer::Scorer scorer("fraud-model.txt");
  gateway::Handler handler(features, scorer);
  features::Transaction txn{"4111111111111111", "a@example.com", 120.0, "coffee"};
  gateway::Decision d = handler.handle(txn);
  std::cout << (d.approved ? "approve" : "decline") << " " << d.risk << "\n";
}
