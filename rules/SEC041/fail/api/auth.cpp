// Secrets drawn from a predictable generator.
#include <cstdlib>
#include <ctime>
#include <string>
std::string make_session_token() {
  std::srand(static_cast<unsigned>(std::time(nullptr)));  // expect: SEC041
  return std::to_string(std::rand());  // expect: SEC041
}
int send_reset() {
  int reset_otp = rand() % 1000000;  // expect: SEC041
  return reset_otp;
}
