package io.rusm.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One real Server-Sent Events client: a virtual thread sends the request with {@link HttpClient}
 * and reads the {@code text/event-stream} body line by line, turning it into {@link Event}s.
 * {@link #close()} closes the response body stream, which cancels it and drops the connection,
 * as a browser tab going away would.
 */
final class SseClient implements AutoCloseable {
    /** One dispatched event: its {@code event:} name (default {@code message}) and joined {@code data:} lines. */
    record Event(String name, String data) {}

    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private InputStream body;
    private boolean closed;
    private volatile int status = -1;
    private volatile Throwable failure;

    private SseClient() {}

    /** Connects on a new virtual thread; use {@link #awaitSubscribed} to know the stream is live. */
    static SseClient open(HttpClient client, URI uri) {
        SseClient sse = new SseClient();
        Thread.ofVirtual().name("sse-client " + uri.getPath()).start(() -> sse.run(client, uri));
        return sse;
    }

    private void run(HttpClient client, URI uri) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            synchronized (lock) {
                body = response.body();
                if (closed) {
                    body.close();
                    return;
                }
            }
            if (status != 200) throw new IOException("SSE " + uri + " answered " + status);
            readEvents(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
        } catch (Throwable t) {
            synchronized (lock) {
                if (!closed) failure = t; // after close() a read failing is the expected way out
            }
        } finally {
            ended.countDown();
        }
    }

    private void readEvents(BufferedReader in) throws IOException {
        String name = null;
        StringBuilder data = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) { // blank line: dispatch
                if (data != null) {
                    Event e = new Event(name == null ? "message" : name, data.toString());
                    events.add(e);
                    if (e.name().equals("subscribed")) subscribed.countDown();
                }
                name = null;
                data = null;
            } else if (line.startsWith("event:")) {
                name = field(line, "event:");
            } else if (line.startsWith("data:")) {
                data = data == null ? new StringBuilder() : data.append('\n');
                data.append(field(line, "data:"));
            } // comments (":...") and other fields are ignored, as a browser would
        }
    }

    private static String field(String line, String prefix) {
        String v = line.substring(prefix.length());
        return v.startsWith(" ") ? v.substring(1) : v;
    }

    /** Waits (bounded) for the server's {@code subscribed} event; false on timeout. */
    boolean awaitSubscribed(Duration timeout) throws InterruptedException {
        return subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next event named {@code name}, skipping others, or null if none arrives in time. */
    Event next(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            Event e = events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) return null;
            if (e.name().equals(name)) return e;
        }
        return null;
    }

    /** Waits (bounded) until the stream ended, by the server or by {@link #close()}; false on timeout. */
    boolean awaitEnded(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int status() {
        return status;
    }

    /** What went wrong before {@link #close()}, if anything (connect failure, bad status, server hang-up error). */
    Throwable failure() {
        return failure;
    }

    /** Disconnects: closes (cancels) the response body, which drops the connection. Waits, bounded, for the reader to end. */
    @Override
    public void close() throws IOException, InterruptedException {
        InputStream in;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            in = body;
        }
        if (in != null) in.close();
        if (in != null && !ended.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("SSE reader did not end within 10 s of close()");
        }
    }
}
