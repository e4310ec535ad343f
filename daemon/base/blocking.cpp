#include "daemon/base/blocking.h"

#include <algorithm>

namespace bqb {

BlockingPool::BlockingPool(std::size_t threads) : pool_(std::max<std::size_t>(threads, 1)) {}

BlockingPool::~BlockingPool() { join(); }

void BlockingPool::join() {
  pool_.stop();
  pool_.join();
}

}  // namespace bqb
