// Nightly training: fit on the labelled transactions, publish the model.
#include "trainer/trainer.hpp"

int main() {
  std::vector<trainer::Example> examples = {{{120.0, 0.0, 6.0}, false}, {{4000.0, 1.0, 3.0}, true}};
  trainer::publish(trainer::fit(examples, 50), "fraud-model.txt");
}
