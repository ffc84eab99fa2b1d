// Personal data straight into the logs.
#include "log.hpp"
struct User { std::string email; std::string cardNumber; int id = 0; };
void on_login(const User& user) {
  logging::info("login", user.email);  // expect: SEC043
  log_warn("card %s declined", user.cardNumber.c_str());  // expect: SEC043
  logging::info("login-id", std::to_string(user.id));
}
