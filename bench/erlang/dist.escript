#!/usr/bin/env escript
%% The Erlang/OTP reference for rusm's cross-node call (BENCHMARKS.md, "Cluster"): Erlang
%% distribution on loopback, in the same run as io.rusm.bench.ClusterCallMain (bench/run calls both).
%%
%%   escript bench/erlang/dist.escript [quick|full]
%%
%% This node becomes rusm_dist_a<N>@127.0.0.1 (long names on 127.0.0.1, a random cookie; epmd is
%% started if it does not run), starts a second node rusm_dist_b<N>@127.0.0.1 with OTP's `peer`
%% (its own `erl` OS process), starts a counter gen_server registered as `counter` there, and calls
%% it with gen_server:call({counter, Node}, {bump, 1}) from this node:
%%   cluster.call.1.p50 / .p99 / .mean  one caller process, back to back, for a fixed time  us
%%   cluster.call.64                    64 caller processes at once; wall time / calls      us
%% Each figure: a warm-up of the same shape first, then a fixed measured time.
%% Prints RESULT <key> erlang <value> <unit> lines. The peer node is stopped at the end, also when
%% a step fails (and a peer halts by itself when this node's connection to it goes); an epmd it
%% started is stopped too when no other node uses it.
-mode(compile).

main(Args) ->
    logger:set_primary_config(level, none),
    Mode = case Args of [] -> full; [A | _] -> list_to_atom(A) end,
    {WarmMs, MeasureMs} = durations(Mode),
    Suffix = integer_to_list(erlang:unique_integer([positive]) rem 1000000 + list_to_integer(os:getpid())),
    EpmdWasUp = epmd_up(),
    start_distribution(list_to_atom("rusm_dist_a" ++ Suffix ++ "@127.0.0.1")),
    {ok, Peer, Node} = peer:start_link(#{name => list_to_atom("rusm_dist_b" ++ Suffix), host => "127.0.0.1",
                                        longnames => true, wait_boot => 30000,
                                        args => ["-setcookie", atom_to_list(erlang:get_cookie()),
                                                 "-kernel", "logger_level", "none"]}),
    Result = try
        io:format("# Erlang/OTP ~s, ~s emulator, ~p schedulers, mode ~p; caller ~p, counter on ~p (peer)~n",
                  [erlang:system_info(otp_release), erlang:system_info(emu_flavor),
                   erlang:system_info(schedulers_online), Mode, node(), Node]),
        ok = load_counter_module(Node),
        {ok, _} = erpc:call(Node, gen_server, start, [{local, counter}, rusm_dist_counter, 0, []], 10000),
        Server = {counter, Node},
        1 = gen_server:call(Server, {bump, 1}),
        %% one caller: per-call latencies
        _ = one_caller(Server, WarmMs),
        {Lat, Wall1} = one_caller(Server, MeasureMs),
        N1 = length(Lat),
        Sorted = list_to_tuple(lists:sort(Lat)),
        result("cluster.call.1.p50", pct(Sorted, 0.50) / 1000, "us"),
        result("cluster.call.1.p99", pct(Sorted, 0.99) / 1000, "us"),
        result("cluster.call.1.mean", Wall1 / N1 / 1000, "us"),
        io:format("# 1 caller: ~p calls in ~.2f s~n", [N1, Wall1 / 1.0e9]),
        %% 64 callers: wall time / calls
        _ = callers(Server, 64, WarmMs),
        {N64, Wall64} = callers(Server, 64, MeasureMs),
        result("cluster.call.64", Wall64 / N64 / 1000, "us"),
        io:format("# 64 callers: ~p calls in ~.2f s~n", [N64, Wall64 / 1.0e9]),
        %% every acknowledged bump counted once
        Total = gen_server:call(Server, get),
        io:format("# counter on ~p: ~p~n", [Node, Total]),
        ok
    catch C:E:St ->
        io:format(standard_error, "dist.escript failed: ~p:~p~n~p~n", [C, E, St]),
        error
    after
        stop_peer(Peer, Node)
    end,
    stop_epmd_if_started(EpmdWasUp),
    halt(case Result of ok -> 0; _ -> 1 end).

durations(quick) -> {1000, 2000};
durations(_) -> {3000, 5000}.

result(Key, Value, Unit) ->
    io:format("RESULT ~s erlang ~.4f ~s~n", [Key, float(Value), Unit]).

now_ns() -> erlang:monotonic_time(nanosecond).

pct(Sorted, Q) ->
    N = tuple_size(Sorted),
    element(max(1, min(N, round(N * Q))), Sorted).

epmd_up() ->
    string:find(os:cmd("epmd -names"), "up and running") =/= nomatch.

%% Leaves the machine as found: an epmd this script started goes once no node is registered with it
%% (`epmd -kill` refuses while other nodes are).
stop_epmd_if_started(true) -> ok;
stop_epmd_if_started(false) ->
    _ = net_kernel:stop(),
    Names = os:cmd("epmd -names"),
    case string:find(Names, "name ") of
        nomatch -> _ = os:cmd("epmd -kill"), io:format("# epmd (started by this script) stopped~n");
        _ -> io:format("# epmd left running: other nodes are registered~n")
    end.

wait_epmd(0) -> {error, epmd_did_not_start};
wait_epmd(N) ->
    case epmd_up() of
        true -> ok;
        false -> timer:sleep(50), wait_epmd(N - 1)
    end.

start_distribution(Name) ->
    %% epmd must run before this node can register; `erl -name` would start it, an escript does not
    _ = os:cmd("epmd -daemon"),
    ok = wait_epmd(100), % `epmd -daemon` returns before it listens: up to 5 s, polled
    Cookie = list_to_atom("rusm_bench_" ++ integer_to_list(erlang:unique_integer([positive]))),
    {ok, _} = net_kernel:start([Name, longnames]),
    true = erlang:set_cookie(node(), Cookie),
    ok.

stop_peer(Peer, Node) ->
    catch peer:stop(Peer),
    case net_adm:ping(Node) of
        pang -> io:format("# peer ~p stopped~n", [Node]);
        pong -> io:format(standard_error, "dist.escript: peer ~p still answers; halting it~n", [Node]),
                catch erpc:call(Node, erlang, halt, [], 2000)
    end.

%% The counter gen_server, compiled here and loaded on the peer (an escript's own module has no
%% object code to send).
load_counter_module(Node) ->
    Src = ["-module(rusm_dist_counter).",
           "-behaviour(gen_server).",
           "-export([init/1, handle_call/3, handle_cast/2]).",
           "init(Count) -> {ok, Count}.",
           "handle_call({bump, By}, _From, Count) -> {reply, Count + By, Count + By};"
           " handle_call(get, _From, Count) -> {reply, Count, Count}.",
           "handle_cast(_Msg, Count) -> {noreply, Count}."],
    Forms = [begin {ok, Toks, _} = erl_scan:string(S), {ok, F} = erl_parse:parse_form(Toks), F end || S <- Src],
    {ok, Mod, Bin} = compile:forms(Forms, [binary]),
    {module, Mod} = erpc:call(Node, code, load_binary, [Mod, "rusm_dist_counter.erl", Bin], 10000),
    ok.

%% One caller process for Ms milliseconds: {per-call latencies in ns, wall ns}.
one_caller(Server, Ms) ->
    Self = self(),
    Pid = spawn_link(fun() ->
        T0 = now_ns(),
        Lat = loop1(Server, T0 + Ms * 1000000, []),
        Self ! {one, self(), Lat, now_ns() - T0}
    end),
    receive {one, Pid, Lat, Wall} -> {Lat, Wall} end.

loop1(Server, Deadline, Acc) ->
    T = now_ns(),
    case T >= Deadline of
        true -> Acc;
        false ->
            _ = gen_server:call(Server, {bump, 1}),
            loop1(Server, Deadline, [now_ns() - T | Acc])
    end.

%% Count caller processes calling for Ms milliseconds: {calls, wall ns until the last one returned}.
callers(Server, Count, Ms) ->
    Self = self(),
    T0 = now_ns(),
    Deadline = T0 + Ms * 1000000,
    Pids = [spawn_link(fun() -> Self ! {n, self(), loopn(Server, Deadline, 0)} end) || _ <- lists:seq(1, Count)],
    Calls = lists:sum([receive {n, P, N} -> N end || P <- Pids]),
    {Calls, now_ns() - T0}.

loopn(Server, Deadline, N) ->
    case now_ns() >= Deadline of
        true -> N;
        false -> _ = gen_server:call(Server, {bump, 1}), loopn(Server, Deadline, N + 1)
    end.
