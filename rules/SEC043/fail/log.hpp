// A small logging API, as services have.
#pragma once
#include <string>
namespace logging {
void info(const std::string& event, const std::string& detail);
}  // namespace logging
void log_warn(const char* format, ...);
