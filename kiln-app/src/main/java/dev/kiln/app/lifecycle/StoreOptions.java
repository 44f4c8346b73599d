package dev.kiln.app.lifecycle;

/**
 * kiln-app's commands' name for kiln-store's {@link dev.kiln.store.StoreOptions} ({@code --home}, {@code --store}),
 * which kiln-spark's commands mix in too.
 */
public final class StoreOptions extends dev.kiln.store.StoreOptions {
}
