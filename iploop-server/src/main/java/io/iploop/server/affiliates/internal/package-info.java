/** Implementation of the affiliates feature: its tables' SQL, the referral cookie filter, the commission listener, the release job and the REST controller. */
@NullMarked
package io.iploop.server.affiliates.internal;

import org.jspecify.annotations.NullMarked;
