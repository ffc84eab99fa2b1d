// Randomness that guards nothing: retry jitter.
#include <cstdlib>
int backoff_ms(int attempt) {
  int jitter_ms = std::rand() % 100;
  return (1 << attempt) * 10 + jitter_ms;
}
