// This component does not declare pii_redaction.
#include "log.hpp"
void export_row(const std::string& email) { logging::info("exported", email); }
