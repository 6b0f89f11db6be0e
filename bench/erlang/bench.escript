#!/usr/bin/env escript
%%! +P 4000000 +t 20000000
%% The Erlang/OTP reference for rusm's benchmarks: the same workloads as the JMH benchmarks in
%% rusm-bench, on gen_server and supervisor, in the same run (bench/run calls this script).
%%
%%   escript bench/erlang/bench.escript [quick|full] [Services]
%%
%% Prints one line per figure: RESULT <key> erlang <value> <unit>.
%% Workloads (all against a counter gen_server registered under a name, called by that name):
%%   call.1      one caller process, gen_server:call back to back            ns per call
%%   call.64     64 caller processes calling the same server at once         ns per call (1/throughput)
%%   cast.1/.4   1 or 4 sender processes gen_server:cast; ends when a final
%%               call (FIFO behind the casts) returns                         ns per message handled
%%   spawn       gen_server:start({local, Name}, ...) + first call           ns per service
%%   memory      Services counter servers alive, each called once, idle;
%%               growth of erlang:memory(total) / Services                    bytes per service
%%   restart.*   crash the supervised server (one_for_one), then call until a
%%               call succeeds on the new process; p50 / p99 / mean           us
%% Logging is off (logger level none), as it is for rusm and Pekko in the JMH run.
-module(bench).
-mode(compile).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2, handle_info/2, start_victim/0]).

%% ---- the counter gen_server -------------------------------------------------------------------

init(counter) -> {ok, 0};
init(victim_sup) ->
    Child = #{id => victim, start => {?MODULE, start_victim, []}, restart => permanent,
              shutdown => 5000, type => worker, modules => [?MODULE]},
    {ok, {#{strategy => one_for_one, intensity => 100000000, period => 1}, [Child]}}.

start_victim() -> gen_server:start_link({local, bench_victim}, ?MODULE, counter, []).

handle_call({bump, By}, _From, Count) -> {reply, Count + By, Count + By};
handle_call(get, _From, Count) -> {reply, Count, Count};
handle_call(crash, _From, _Count) -> erlang:error(crash_requested_by_the_benchmark).

handle_cast({add, By}, Count) -> {noreply, Count + By}.

handle_info(_Msg, Count) -> {noreply, Count}.

%% ---- driver -----------------------------------------------------------------------------------

main(Args) ->
    logger:set_primary_config(level, none),
    {Mode, Services} = case Args of
        [] -> {full, 1000000};
        [A] -> {list_to_atom(A), default_services(list_to_atom(A))};
        [A, S | _] -> {list_to_atom(A), list_to_integer(S)}
    end,
    Cfg = config(Mode),
    io:format("# Erlang/OTP ~s, ~s emulator, ~p schedulers, mode ~p~n",
              [erlang:system_info(otp_release), erlang:system_info(emu_flavor),
               erlang:system_info(schedulers_online), Mode]),
    {ok, _} = gen_server:start({local, bench_counter}, ?MODULE, counter, []),
    Rounds = maps:get(rounds, Cfg),
    N1 = maps:get(call1, Cfg),
    result("call.1", rounds(Rounds, fun() -> callers(1, N1) end) / N1, "ns"),
    Per64 = maps:get(call64, Cfg),
    result("call.64", rounds(Rounds, fun() -> callers(64, Per64) end) / (64 * Per64), "ns"),
    M = maps:get(cast, Cfg),
    result("cast.1", rounds(Rounds, fun() -> casters(1, M) end) / M, "ns"),
    result("cast.4", rounds(Rounds, fun() -> casters(4, M) end) / M, "ns"),
    B = maps:get(spawn, Cfg),
    result("spawn", rounds(Rounds, fun() -> spawn_batch(B) end) / B, "ns"),
    restart(maps:get(restarts, Cfg)),
    memory(Services),
    halt(0).

default_services(quick) -> 100000;
default_services(_) -> 1000000.

%% Sizes per round; every figure is the mean over Rounds measured rounds after one warm-up round.
config(quick) -> #{rounds => 2, call1 => 20000, call64 => 500, cast => 200000, spawn => 2000, restarts => 2000};
config(full) -> #{rounds => 5, call1 => 200000, call64 => 4000, cast => 2000000, spawn => 20000, restarts => 20000}.

result(Key, Value, Unit) ->
    io:format("RESULT ~s erlang ~.4f ~s~n", [Key, float(Value), Unit]).

%% Mean wall time (ns) of Rounds runs of Fun, after one warm-up run.
rounds(Rounds, Fun) ->
    _ = Fun(),
    Times = [Fun() || _ <- lists:seq(1, Rounds)],
    lists:sum(Times) / Rounds.

now_ns() -> erlang:monotonic_time(nanosecond).

%% Starts Fun in Count processes and returns the wall time (ns) until all of them finished.
parallel(Count, Fun) ->
    Parent = self(),
    T0 = now_ns(),
    Pids = [spawn_link(fun() -> Fun(), Parent ! {done, self()} end) || _ <- lists:seq(1, Count)],
    [receive {done, P} -> ok end || P <- Pids],
    now_ns() - T0.

callers(Count, PerCaller) ->
    parallel(Count, fun() -> call_loop(PerCaller) end).

call_loop(0) -> ok;
call_loop(N) -> _ = gen_server:call(bench_counter, {bump, 1}), call_loop(N - 1).

casters(Count, Total) ->
    Per = Total div Count,
    T0 = now_ns(),
    _ = parallel(Count, fun() -> cast_loop(Per) end),
    _ = gen_server:call(bench_counter, get, infinity), % FIFO: every cast before it was handled
    now_ns() - T0.

cast_loop(0) -> ok;
cast_loop(N) -> gen_server:cast(bench_counter, {add, 1}), cast_loop(N - 1).

%% Spawns Batch named servers and calls each once (timed), then kills them (not timed).
spawn_batch(Batch) ->
    Base = erlang:unique_integer([positive]) * 1000000,
    T0 = now_ns(),
    Pids = [spawn_one(Base + I) || I <- lists:seq(1, Batch)],
    T = now_ns() - T0,
    [exit(P, kill) || P <- Pids],
    T.

spawn_one(I) ->
    Name = list_to_atom("svc-" ++ integer_to_list(I)),
    {ok, Pid} = gen_server:start({local, Name}, ?MODULE, counter, []),
    1 = gen_server:call(Name, {bump, 1}),
    Pid.

%% ---- restart latency ------------------------------------------------------------------------

restart(Samples) ->
    _ = restart_samples(Samples div 4), % warm-up
    Times = lists:sort(restart_samples(Samples)),
    N = length(Times),
    result("restart.p50", lists:nth(max(1, round(N * 0.50)), Times) / 1000, "us"),
    result("restart.p99", lists:nth(max(1, round(N * 0.99)), Times) / 1000, "us"),
    result("restart.mean", lists:sum(Times) / N / 1000, "us").

%% OTP's supervisor keeps the restarts of the last `period` in a list it filters on every restart,
%% so thousands of restarts per second under one supervisor would make each restart O(restarts).
%% A fresh supervisor every ?RESTARTS_PER_SUP samples (not timed) keeps that list as short as a
%% realistic restart intensity would.
-define(RESTARTS_PER_SUP, 200).

restart_samples(Samples) when Samples =< 0 -> [];
restart_samples(Samples) ->
    {ok, Sup} = supervisor:start_link({local, bench_sup}, ?MODULE, victim_sup),
    Chunk = min(Samples, ?RESTARTS_PER_SUP),
    Times = [crash_and_serve() || _ <- lists:seq(1, Chunk)],
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, kill),
    receive {'DOWN', Ref, process, Sup, _} -> ok end,
    wait_unregistered(bench_victim),
    Times ++ restart_samples(Samples - Chunk).

wait_unregistered(Name) ->
    case whereis(Name) of
        undefined -> ok;
        _ -> timer:sleep(1), wait_unregistered(Name)
    end.

crash_and_serve() ->
    T0 = now_ns(),
    {'EXIT', _} = (catch gen_server:call(bench_victim, crash)),
    _ = serve(),
    now_ns() - T0.

serve() ->
    case whereis(bench_victim) of
        undefined -> erlang:yield(), serve();
        Pid ->
            case catch gen_server:call(Pid, get) of
                {'EXIT', _} -> serve();
                Count -> Count
            end
    end.

%% ---- memory per idle service ----------------------------------------------------------------

memory(Count) ->
    warm(10000),
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    BeforeProcs = erlang:memory(processes),
    Base = 2000000000,
    T0 = now_ns(),
    Spawners = 4,
    _ = parallel(Spawners, fun() -> ok end), % spawns below run from 4 processes
    Parent = self(),
    Per = Count div Spawners,
    Ws = [spawn_link(fun() ->
                         [spawn_one(Base + W * Per + I) || I <- lists:seq(1, Per)],
                         Parent ! {spawned, self()},
                         receive stop -> ok end
                     end) || W <- lists:seq(0, Spawners - 1)],
    [receive {spawned, W} -> ok end || W <- Ws],
    Secs = (now_ns() - T0) / 1.0e9,
    erlang:garbage_collect(),
    timer:sleep(500),
    After = erlang:memory(total),
    AfterProcs = erlang:memory(processes),
    Alive = Per * Spawners,
    io:format("# ~p servers alive (spawned in ~.1f s); memory total ~p -> ~p bytes, processes ~p -> ~p~n",
              [Alive, Secs, Before, After, BeforeProcs, AfterProcs]),
    result("memory", (After - Before) / Alive, "B").

warm(N) ->
    Base = 3000000000,
    Pids = [spawn_one(Base + I) || I <- lists:seq(1, N)],
    [exit(P, kill) || P <- Pids],
    ok.
