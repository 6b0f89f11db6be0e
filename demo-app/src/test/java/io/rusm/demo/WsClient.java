package io.rusm.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client ({@link java.net.http.WebSocket}) that collects the text messages it receives. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closedByServer = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static WsClient connect(HttpClient client, URI uri) throws Exception {
        WsClient ws = new WsClient();
        ws.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, ws).get(10, TimeUnit.SECONDS);
        return ws;
    }

    void sendText(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** The next complete text message, or null if none arrives in time. */
    String next(Duration timeout) throws InterruptedException {
        return texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The close code the server sent, waiting at most {@code timeout}; null if it did not close. */
    Integer awaitClosedByServer(Duration timeout) throws InterruptedException {
        try {
            return closedByServer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("WebSocket failed instead of closing", e.getCause());
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closedByServer.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closedByServer.completeExceptionally(error);
    }

    /** A normal close handshake (1000), bounded; the connection is aborted if the server does not answer. */
    @Override
    public void close() throws Exception {
        if (socket.isOutputClosed()) return;
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            closedByServer.get(10, TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }
}
