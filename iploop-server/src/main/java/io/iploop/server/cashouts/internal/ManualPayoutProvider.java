package io.iploop.server.cashouts.internal;

/**
 * Crypto, bank, gift-card (and unconfigured PayPal) payouts: an admin pays outside IPLoop and
 * records the transaction id with {@code POST /api/admin/cashouts/{id}/complete}. Nothing is sent
 * automatically. Stateless; thread-safe.
 */
final class ManualPayoutProvider implements PayoutProvider {

    private static final String WAITING = "awaiting an admin to pay and record the transaction id";

    @Override
    public String name() {
        return MANUAL;
    }

    @Override
    public boolean automatic() {
        return false;
    }

    @Override
    public Outcome send(Payout payout) {
        return new Outcome(State.PENDING, null, null, WAITING);
    }

    @Override
    public Outcome poll(String reference) {
        return new Outcome(State.PENDING, reference, null, WAITING);
    }
}
