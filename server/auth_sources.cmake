# The token checker behind server/src/auth.h (JWT HS256, ssemux claims, topic
# patterns). Needs OpenSSL (libcrypto: HMAC, CRYPTO_memcmp) and
# libwebsockets (LEJP). Included by server/CMakeLists.txt.
set(SSEMUX_AUTH_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/src/auth.c
    ${CMAKE_CURRENT_LIST_DIR}/src/base64url.c
    ${CMAKE_CURRENT_LIST_DIR}/src/json_claims.c
    ${CMAKE_CURRENT_LIST_DIR}/src/json_object.c
    ${CMAKE_CURRENT_LIST_DIR}/src/utf8.c)
