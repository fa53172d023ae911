/**
 * What a source whose timestamps go backwards does. `error` stops the replay naming the source
 * and record (a log whose clock jumps back is a bad input); `reanchor` is canplayer's rule: the
 * frame goes at once (at the previous frame's time) and the spacing of later frames is kept.
 */
export type TimeJumpPolicy = "error" | "reanchor";

export const timeJumpPolicies: readonly TimeJumpPolicy[] = ["error", "reanchor"];
