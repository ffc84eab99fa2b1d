// A handler that does its work in-process.
#include <string>
int handle(const std::string& url) { return static_cast<int>(url.size()); }
