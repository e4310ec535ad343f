#pragma once
// GCC 12 at -O2 reports -Wmismatched-new-delete for some Asio coroutines' frames: it sees Asio's
// frame allocation (asio::aligned_new → std::aligned_alloc) and the frame's class operator
// delete, but not that the latter frees through asio::aligned_delete (std::free), which matches.
// A known false positive (chriskohlhoff/asio#1391). Included only by the .cpp files where it
// fires (the pragma holds to the end of the including file), so the warning stays on elsewhere.

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
