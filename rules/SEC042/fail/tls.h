// The libcurl and OpenSSL declarations the fixture needs (names and values as in curl/curl.h
// and openssl/ssl.h), so that it parses without those libraries installed.
#pragma once
typedef void CURL;
typedef enum { CURLOPT_SSL_VERIFYPEER = 64, CURLOPT_SSL_VERIFYHOST = 81, CURLOPT_CAINFO = 10065 } CURLoption;
extern "C" int curl_easy_setopt(CURL* curl, CURLoption option, ...);
typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_store_ctx_st X509_STORE_CTX;
#define SSL_VERIFY_NONE 0x00
#define SSL_VERIFY_PEER 0x01
extern "C" void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, int (*callback)(int, X509_STORE_CTX*));
