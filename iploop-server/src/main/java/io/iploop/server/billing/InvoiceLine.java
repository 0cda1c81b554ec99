package io.iploop.server.billing;

/**
 * One line of an invoice. Immutable.
 *
 * @param quantity ≥ 1
 * @param unitCents price of one unit in the invoice currency's cents
 * @param amountCents {@code unitCents × quantity}
 */
public record InvoiceLine(String description, int quantity, long unitCents, long amountCents) {}
