// relacy_tests/driver.cpp: the Relacy driver's simulation loop, compiled
// once per thread count (see ScenarioOps in driver.hpp): every Relacy
// program links this instead of instantiating Relacy's context per scenario.
#include "relacy_tests/driver.hpp"

namespace pfv {

template RunResult run_threads<2>(const search::Config&, const RunOptions&);
template RunResult run_threads<3>(const search::Config&, const RunOptions&);
template RunResult run_threads<4>(const search::Config&, const RunOptions&);
template RunResult run_threads<5>(const search::Config&, const RunOptions&);
template RunResult run_threads<6>(const search::Config&, const RunOptions&);

}  // namespace pfv
