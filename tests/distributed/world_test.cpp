// Where a process stands in a data-parallel run, from each launcher's environment.
#include "distributed/world.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

std::optional<WorldInfo> world(const std::map<std::string, std::string>& env) {
  return world_from_environment([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(World, TorchrunsVariablesAndItsAgentStore) {
  auto w = world({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
                  {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29400"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                  {"TORCHELASTIC_RESTART_COUNT", "2"}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->rank, 3);
  EXPECT_EQ(w->world_size, 4);
  EXPECT_EQ(w->local_rank, 1);
  EXPECT_EQ(w->local_world_size, 2);
  EXPECT_EQ(w->master_addr, "node7");
  EXPECT_EQ(w->master_port, 29400);
  EXPECT_TRUE(w->agent_store);
  EXPECT_EQ(w->store_prefix, "/worker/attempt_2");
  EXPECT_EQ(w->launcher, "torchrun");

  auto own = world({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1234"}});  // rank 0 hosts the store
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->agent_store);
  EXPECT_EQ(own->launcher, "a launcher setting RANK/WORLD_SIZE");  // no torchrun variables: not named torchrun
  EXPECT_EQ(own->store_prefix, "");
  EXPECT_EQ(own->master_addr, "127.0.0.1");
}

TEST(World, SrunsVariablesWithTheFirstNodeAsMaster) {
  auto w = world({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                  {"SLURM_JOB_NODELIST", "gpu[03-06,9]"}, {"SLURM_TASKS_PER_NODE", "2(x4)"}, {"SLURM_JOB_ID", "123456"}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->rank, 5);
  EXPECT_EQ(w->world_size, 8);
  EXPECT_EQ(w->local_rank, 1);
  EXPECT_EQ(w->local_world_size, 2);
  EXPECT_EQ(w->master_addr, "gpu03");
  EXPECT_EQ(w->master_port, 20000 + 123456 % 20000);  // one port per job
  EXPECT_EQ(w->launcher, "srun");
}

TEST(World, SlurmNodeListsOfEveryShape) {
  EXPECT_EQ(first_slurm_host("node01"), "node01");
  EXPECT_EQ(first_slurm_host("a1,b2"), "a1");
  EXPECT_EQ(first_slurm_host("node[03-05,9]"), "node03");
  EXPECT_EQ(first_slurm_host("node[7,3-5]"), "node7");
  EXPECT_EQ(first_slurm_host("gpu-[1-2]-x,cpu1"), "gpu-1-x");
  EXPECT_EQ(first_slurm_host("rack[1-2]-n[01-04]"), "rack1-n01");
  EXPECT_NE(test::error_message<ConfigError>([] { first_slurm_host("node[1-"); }).find("unbalanced"), std::string::npos);
}

TEST(World, OneProcessOrNoLauncherIsNoWorld) {
  EXPECT_FALSE(world({}));
  EXPECT_FALSE(world({{"RANK", "0"}, {"WORLD_SIZE", "1"}}));
  EXPECT_FALSE(world({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}));
}

TEST(World, MalformedValuesNameTheVariable) {
  auto message = [](std::map<std::string, std::string> env) {
    return test::error_message<ConfigError>([&] { world(env); });
  };
  EXPECT_EQ(message({{"RANK", "2"}, {"WORLD_SIZE", "2"}}), "environment variable RANK=2: not a whole number from 0 to 1");
  EXPECT_EQ(message({{"RANK", "0"}, {"WORLD_SIZE", "two"}}),
            "environment variable WORLD_SIZE=two: not a whole number from 1 to 1048576");
  EXPECT_EQ(message({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}),
            "environment variable MASTER_PORT=70000: not a whole number from 1 to 65535");
}

// A store named by a host name that does not resolve: this machine's own name means loopback
// (torchrun --standalone names the store by it); another host is a one-line error naming it.
TEST(World, AStoreHostThatDoesNotResolveIsLoopbackWhenItIsThisMachineElseAnError) {
  const std::string unresolvable = "odenet-no-such-host.invalid";  // RFC 2606: .invalid never resolves
  EXPECT_EQ(store_address("127.0.0.1", unresolvable), "127.0.0.1");
  EXPECT_EQ(store_address("localhost", unresolvable), "localhost");
  EXPECT_EQ(store_address(unresolvable, unresolvable), "127.0.0.1");
  const std::string message = test::error_message<Error>([&] { store_address(unresolvable, "this-machine"); });
  EXPECT_EQ(message.rfind("host 'odenet-no-such-host.invalid' does not resolve (", 0), 0u) << message;
}

}  // namespace
}  // namespace odenet
