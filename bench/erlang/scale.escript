#!/usr/bin/env escript
%%! +P 4000000
%% Erlang's side of rusm's scaling figure (rusm-bench ScalingMain): Services counter gen_servers,
%% each called back to back by a caller process of its own, for Seconds after a warm-up of the same
%% length; prints the calls per second of all callers together.
%%
%%   ERL_FLAGS="+S 1:1" escript bench/erlang/scale.escript 1000 3
%%
%% Prints RESULT scale.<Services> erlang-s<Schedulers> <calls per second> calls/s.
-module(scale).
-mode(compile).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2]).

init(counter) -> {ok, 0}.
handle_call({bump, By}, _From, Count) -> {reply, Count + By, Count + By}.
handle_cast(_Msg, Count) -> {noreply, Count}.

main([S, Sec]) ->
    logger:set_primary_config(level, none),
    Services = list_to_integer(S),
    Seconds = list_to_integer(Sec),
    Pids = [begin {ok, P} = gen_server:start(?MODULE, counter, []), P end || _ <- lists:seq(1, Services)],
    Phase = atomics:new(1, []), % 0 warm-up, 1 measuring, 2 stop
    Parent = self(),
    [spawn(fun() -> Parent ! {counted, caller(P, Phase)} end) || P <- Pids],
    timer:sleep(Seconds * 1000),
    atomics:put(Phase, 1, 1),
    T0 = erlang:monotonic_time(),
    timer:sleep(Seconds * 1000),
    atomics:put(Phase, 1, 2),
    T1 = erlang:monotonic_time(),
    Calls = lists:sum([receive {counted, N} -> N end || _ <- Pids]),
    Secs = erlang:convert_time_unit(T1 - T0, native, microsecond) / 1.0e6,
    io:format("RESULT scale.~p erlang-s~p ~p calls/s~n", [Services, erlang:system_info(schedulers_online), round(Calls / Secs)]).

%% A caller: back to back while warming up, then counting its own calls (no shared counter)
%% until told to stop.
caller(P, Phase) -> warm(P, Phase).

warm(P, Phase) ->
    case atomics:get(Phase, 1) of
        0 -> call(P), warm(P, Phase);
        _ -> measure(P, Phase, 0)
    end.

measure(P, Phase, N) ->
    case atomics:get(Phase, 1) of
        1 -> call(P), measure(P, Phase, N + 1);
        _ -> N
    end.

call(P) -> _ = gen_server:call(P, {bump, 1}).
