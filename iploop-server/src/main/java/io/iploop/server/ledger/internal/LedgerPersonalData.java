package io.iploop.server.ledger.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The ledger accounts of a person and their entries (docs/privacy.md): exported; never changed by
 * erasure, as they are the financial record the law requires to keep (docs/privacy.md#what-stays);
 * they hold amounts, kinds and ids, no contact data. Thread-safe.
 */
@Component
class LedgerPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    LedgerPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "ledger";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("accounts.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'purpose', a.purpose, 'currency', a.currency,
                                                  'balance', a.balance, 'createdAt', a.created_at) ORDER BY a.created_at), '[]')
                        FROM ledger_accounts a WHERE a.owner_id = :id""").param("id", userId).query().singleValue());
        out.csv("entries.csv", List.of("entry_id", "created_at", "account_id", "purpose", "currency", "amount",
                "transaction_id", "kind", "description"), rows -> jdbc.sql("""
                        SELECT e.id, e.created_at, e.account_id, a.purpose, e.currency, e.amount, t.id AS tx, t.kind,
                               t.description
                        FROM ledger_entries e
                        JOIN ledger_accounts a ON a.id = e.account_id
                        JOIN ledger_transactions t ON t.id = e.transaction_id
                        WHERE a.owner_id = :id ORDER BY e.id""")
                .param("id", userId)
                .query(rs -> {
                    rows.row(rs.getObject(1), rs.getTimestamp(2).toInstant(), rs.getObject(3), rs.getString(4),
                            rs.getString(5), rs.getBigDecimal(6), rs.getObject(7), rs.getString(8), rs.getString(9));
                }));
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        // Nothing: ledger rows are append-only legal records without contact data.
    }
}
