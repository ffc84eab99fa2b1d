// A handler that shells out.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
int handle(const std::string& url) {
  int rc = std::system(("curl -s " + url).c_str());  // expect: SEC040
  FILE* p = popen("ls", "r");  // expect: SEC040
  if (p) pclose(p);
  if (rc != 0) execl("/bin/true", "true", static_cast<char*>(nullptr));  // expect: SEC040
  return rc;
}
