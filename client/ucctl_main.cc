// ucctl: see client/ucctl.h and `ucctl --help`.
#include <iostream>
#include <string>
#include <vector>

#include "client/ucctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return ucgate::client::RunUcctl(args, std::cout, std::cerr);
}
