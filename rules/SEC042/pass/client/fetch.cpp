// Verification on, with the CA bundle the client needs.
#include "tls.h"
void configure(CURL* curl, SSL_CTX* ctx) {
  curl_easy_setopt(curl, CURLOPT_CAINFO, "/etc/ssl/certs/internal-ca.pem");
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
}
