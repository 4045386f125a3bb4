# The real table's set.tsv for tucai-eval (issue 16), from
#   awk -f eval/realset.awk eval/real_map.tsv eval/real_aside.tsv REAL/labels.tsv
# Output rows: file, prior "-", 0, "check=pass|fail ...", "heldout" when the
# person is set aside (eval/real_aside.tsv).  Images stay in REAL (never copied).
BEGIN { FS = "\t"; OFS = "\t" }
FILENAME == ARGV[1] {
    if ($0 ~ /^#/ || NF < 4) next
    nm++; mcol[nm] = $1; mval[nm] = $2; mchk[nm] = $3; mexp[nm] = $4; monly[nm] = $5
    next
}
FILENAME == ARGV[2] {
    if ($0 ~ /^#/ || $1 == "") next
    aside[$1] = 1
    next
}
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
    f = $1
    split(f, parts, "/"); src = parts[1]; base = parts[length(parts)]
    if (src == "yale") { p = base; sub(/^subject/, "", p); sub(/\..*/, "", p); person = "yale:" p }
    else if (src == "nuaa") { p = base; sub(/_.*/, "", p); person = "nuaa:" p }
    else if (src == "ar") { split(base, q, "-"); person = "ar:" q[2] }
    else if (src == "face_recognition_examples" && base ~ /^obama/) person = "fre:obama"
    else person = "photo:" f
    held = (person in aside)
    if (!held && ("nth4:" src) in aside) { k = nth[src]++; held = (k % 4 == 0) }
    delete lab
    for (m = 1; m <= nm; m++) {
        v = (mcol[m] == "file") ? f : $(col[mcol[m]])
        if (v != mval[m]) continue
        if (monly[m] != "" && index(f, monly[m]) != 1) continue
        if (mexp[m] == "-") delete lab[mchk[m]]
        else lab[mchk[m]] = mexp[m]
    }
    s = ""
    for (c in lab) s = s (s == "" ? "" : " ") c "=" lab[c]
    if (s == "") next
    print f, "-", 0, s, held ? "heldout" : ""
}
