package io.iploop.server.mail;

/** A plain-text e-mail to one recipient. Immutable. */
public record OutgoingMail(String to, String subject, String body) {}
