// Verification off, three ways.
#include "tls.h"
void configure(CURL* curl, SSL_CTX* ctx) {
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);  // expect: SEC042
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0);  // expect: SEC042
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);  // expect: SEC042
}
