// A header-only stand-in for the part of libcurl the example uses, so that it builds without
// libcurl installed. Names and option numbers are libcurl's (curl/curl.h); the calls do nothing.
#pragma once

typedef void CURL;
typedef enum { CURLE_OK = 0 } CURLcode;
typedef enum {
  CURLOPT_URL = 10002,
  CURLOPT_SSL_VERIFYPEER = 64,
  CURLOPT_SSL_VERIFYHOST = 81,
  CURLOPT_TIMEOUT_MS = 155,
} CURLoption;

inline CURL* curl_easy_init() {
  static int handle;
  return &handle;
}
inline CURLcode curl_easy_setopt(CURL*, CURLoption, ...) { return CURLE_OK; }
inline CURLcode curl_easy_perform(CURL*) { return CURLE_OK; }
inline void curl_easy_cleanup(CURL*) {}
