package io.iploop.server.accounts.internal;

import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.PersonalData;
import org.springframework.http.HttpStatus;

/**
 * Erasure refused (409) because a feature's {@link PersonalData#erasureBlocker} said so; the error
 * code is that feature's (e.g. {@code cashout_pending}), so clients can tell the reasons apart
 * (docs/privacy.md#erasure).
 */
final class ErasureBlockedException extends ApiException {

    private static final long serialVersionUID = 1L;

    ErasureBlockedException(PersonalData.ErasureBlocker blocker) {
        super(blocker.code(), HttpStatus.CONFLICT, blocker.message(), null);
    }
}
