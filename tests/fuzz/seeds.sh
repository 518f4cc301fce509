# seeds.sh: sourced by run.sh and replay.sh. fuzz_seeds TARGET prints the directories a
# fuzz target starts from (the repository's own files of its kind, and the seeds made for
# it here); fuzz_targets lists the targets.
fuzz_targets="sql scenario lesson trace wal wire"
fuzz_seeds() {
    case $1 in
        sql)      echo "tests/fuzz/seeds/sql" ;;
        scenario) echo "tests/scenarios tests/errors assets/examples" ;;
        lesson)   echo "lessons tests/lessons" ;;
        trace)    echo "tests/fuzz/seeds/trace" ;;
        wal)      echo "tests/fuzz/seeds/wal" ;;
        wire)     echo "tests/fuzz/seeds/wire" ;;
        *) return 1 ;;
    esac
}
