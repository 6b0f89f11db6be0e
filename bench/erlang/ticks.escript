#!/usr/bin/env escript
%%! +P 4000000
%% The Erlang/OTP twin of rusm-bench's TickLatencyMain: timer tick lateness under load.
%%
%%   escript bench/erlang/ticks.escript [Services] [Timers] [PeriodMs] [WarmupS] [MeasureS]
%%
%% Services processes, each with Timers fixed-rate timers every PeriodMs made of
%% erlang:send_after(Due, self(), {tick, J, Due}, [{abs, true}]) re-armed on receipt for the next
%% due time (absolute monotonic milliseconds, so no drift), due times spread evenly over the period.
%% After WarmupS seconds, for MeasureS seconds, every tick records its lateness: the monotonic time
%% (microseconds) it is received minus its due time. A tick that arrives more than a period late
%% re-arms for the next due time after now, like rusm's coalescing, and counts the due times it
%% stood for as coalesced. Prints RESULT tick.p50 / tick.p99 / tick.p999 / tick.max erlang <us> us
%% (bucket upper edges: 10 us below 10 ms, 1 ms above) and a summary line.
-module(ticks).
-mode(compile).
-export([main/1]).

-define(FINE, 1000).
-define(COARSE, 59990).
-define(BUCKETS, (?FINE + ?COARSE + 1)).

main(Args) ->
    logger:set_primary_config(level, none),
    [S, T, P, W, M] = defaults(Args, [100000, 10, 1000, 10, 20]),
    Total = S * T,
    %% The driver runs at high priority: once the ticks saturate the schedulers, a normal-priority
    %% driver would get one slice per round of 100,000 busy processes and never finish arming.
    process_flag(priority, high),
    Hist = counters:new(?BUCKETS, [write_concurrency]),
    Stats = counters:new(2, [write_concurrency]), % 1: ticks handled while recording, 2: coalesced due times
    Flag = atomics:new(1, []),
    Ctx = {Hist, Stats, Flag, P},
    T0 = erlang:monotonic_time(millisecond),
    Base = T0 + max(P, 2000),
    Order = shuffled(Total),
    spawn_all(S, T, Order, Base, P, Total, Ctx),
    ArmedMs = erlang:monotonic_time(millisecond) - T0,
    io:format("# armed ~p timers in ~p ms~n", [Total, ArmedMs]),
    wait_until(Base + W * 1000),
    atomics:put(Flag, 1, 1),
    io:format("# measuring~n"),
    M0 = erlang:monotonic_time(microsecond),
    wait_until(M0 div 1000 + M * 1000),
    atomics:put(Flag, 1, 0),
    Seconds = (erlang:monotonic_time(microsecond) - M0) / 1.0e6,
    Counts = [counters:get(Hist, I) || I <- lists:seq(1, ?BUCKETS)],
    Handled = lists:sum(Counts),
    P50 = quantile(Counts, Handled, 0.5),
    P99 = quantile(Counts, Handled, 0.99),
    P999 = quantile(Counts, Handled, 0.999),
    Max = quantile(Counts, Handled, 1.0),
    io:format("# Erlang/OTP ~s, ~s emulator, ~p schedulers; ticks: ~p services x ~p timers every ~p ms (~p due/s), armed in ~p ms; "
              "measured ~.1f s: ~p ticks handled (~p/s), ~p due times coalesced, lateness p50 ~p us, p99 ~p us, p99.9 ~p us, max ~p us~n",
              [erlang:system_info(otp_release), erlang:system_info(emu_flavor), erlang:system_info(schedulers_online),
               S, T, P, Total * 1000 div P, ArmedMs, Seconds, Handled, round(Handled / Seconds), counters:get(Stats, 2),
               P50, P99, P999, Max]),
    io:format("RESULT tick.p50 erlang ~p us~n", [P50]),
    io:format("RESULT tick.p99 erlang ~p us~n", [P99]),
    io:format("RESULT tick.p999 erlang ~p us~n", [P999]),
    io:format("RESULT tick.max erlang ~p us~n", [Max]),
    io:format("RESULT tick.rate erlang ~p ticks/s~n", [round(Handled / Seconds)]),
    halt(0).

defaults(Args, Defaults) ->
    Given = [list_to_integer(A) || A <- Args],
    Given ++ lists:nthtail(length(Given), Defaults).

%% ---- the services ------------------------------------------------------------------------------

spawn_all(S, T, Order, Base, P, Total, Ctx) ->
    spawn_all(0, S, T, Order, Base, P, Total, Ctx).

spawn_all(I, S, _T, _Order, _Base, _P, _Total, _Ctx) when I >= S -> ok;
spawn_all(I, S, T, Order, Base, P, Total, Ctx) ->
    {Mine, Rest} = lists:split(T, Order),
    Dues = [Base + (K * P) div Total || K <- Mine],
    spawn(fun() -> service(Dues, Ctx) end),
    spawn_all(I + 1, S, T, Rest, Base, P, Total, Ctx).

service(Dues, Ctx) ->
    lists:foldl(fun(Due, J) -> erlang:send_after(Due, self(), {tick, J, Due}, [{abs, true}]), J + 1 end, 0, Dues),
    loop(Ctx).

loop({Hist, Stats, Flag, P} = Ctx) ->
    receive
        {tick, J, Due} ->
            NowUs = erlang:monotonic_time(microsecond),
            LateUs = NowUs - Due * 1000,
            Covered = case LateUs < 0 of true -> 0; false -> LateUs div (P * 1000) + 1 end,
            case atomics:get(Flag, 1) of
                1 ->
                    counters:add(Hist, bucket(LateUs), 1),
                    counters:add(Stats, 1, 1),
                    case Covered > 1 of true -> counters:add(Stats, 2, Covered - 1); false -> ok end;
                _ -> ok
            end,
            Next = Due + max(1, Covered) * P,
            erlang:send_after(Next, self(), {tick, J, Next}, [{abs, true}]),
            loop(Ctx)
    end.

%% ---- lateness histogram ------------------------------------------------------------------------

bucket(Us) when Us < 0 -> 1;
bucket(Us) when Us < 10000 -> Us div 10 + 1;
bucket(Us) -> min(?FINE + ?COARSE, ?FINE + (Us - 10000) div 1000) + 1.

edge(I) when I =< ?FINE -> I * 10;
edge(I) -> 10000 + (I - ?FINE) * 1000.

quantile(_Counts, 0, _Q) -> 0;
quantile(Counts, N, Q) -> quantile(Counts, max(1, ceil(Q * N)), 0, 1).

quantile([C | Rest], Rank, Seen, I) ->
    case Seen + C >= Rank of
        true -> edge(I);
        false -> quantile(Rest, Rank, Seen + C, I + 1)
    end;
quantile([], _Rank, _Seen, I) -> edge(I - 1).

%% Not timer:sleep: when the timers cannot keep up, the timer wheel lags and a sleep on it would
%% end minutes late (or never). The driver waits on an OS sleep instead (a port, off the timer
%% wheel), in steps of 0.1 s; the measured window is timed by the clock, not by the steps.
wait_until(Ms) ->
    case erlang:monotonic_time(millisecond) >= Ms of
        true -> ok;
        false -> os:cmd("sleep 0.1"), wait_until(Ms)
    end.

%% ---- phases spread evenly, in random order -----------------------------------------------------

shuffled(N) ->
    Tagged = [{rand:uniform(), K} || K <- lists:seq(0, N - 1)],
    [K || {_, K} <- lists:sort(Tagged)].
