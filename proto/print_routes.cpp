// Prints every socket API operation of proto/routes.h as "METHOD PATTERN", one per line, for
// routes_openapi_test.py to compare against proto/openapi.yaml.
#include <iostream>

#include "proto/routes.h"

int main() {
  for (const auto& r : bqb::routes::kAll) std::cout << r.method << ' ' << r.pattern << '\n';
  return 0;
}
