// Personal data reaches the log only redacted.
#include "log.hpp"
struct User { std::string email; int id = 0; };
std::string redact(const std::string& value);
void on_login(const User& user) {
  logging::info("login", redact(user.email));
  logging::info("login-id", std::to_string(user.id));
}
