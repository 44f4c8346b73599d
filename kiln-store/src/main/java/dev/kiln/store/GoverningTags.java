package dev.kiln.store;

/**
 * The model tags that govern promotion: {@code protected_aliases} (which aliases move only through the gates)
 * and every {@code gate.*} rule ({@code gate.roc_auc}, {@code gate.fairness.COLUMN.GAP}). Changing one changes
 * what a promotion must pass, so surfaces with roles reserve them to admins, and the registry records each
 * change with its previous value ({@link ModelRegistry#setTag}).
 */
public final class GoverningTags {
    public static final String PROTECTED_ALIASES = "protected_aliases";
    public static final String GATE_PREFIX = "gate.";

    private GoverningTags() {
    }

    public static boolean governsPromotion(String key) {
        return key != null && (key.equals(PROTECTED_ALIASES) || key.startsWith(GATE_PREFIX));
    }
}
