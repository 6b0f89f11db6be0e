package io.rusm.demo.pubsub;

/** What the hub sends to each subscriber process of a topic. */
public record TopicMessage(String topic, String payload, long publishedAtMillis) {}
