-- darklog on Spark SQL, step 2 of 2: every line keyed by visitor, the visitors shared
-- among ${partitions} partitions, each partition's state. One row per partition: its
-- state line, which `darklog merge -` turns into the report.
--
--   spark-sql --files darklog,stage.py,job.profile -d logs='s3a://bucket/logs/2026/11/*' \
--       -d partitions=200 -d profile=job.profile -d flags='' -S -f darklog.sql | darklog merge - --report summary

-- Each file's index in path order: lines of two files with the same time are read in the
-- order of the files' first times, then of their paths, as `darklog analyze` reads them.
-- (Spark warns that the window moves all rows to one partition: they are only paths.)
CREATE OR REPLACE TEMPORARY VIEW files AS
SELECT path, row_number() OVER (ORDER BY path) - 1 AS idx FROM binaryFile.`${logs}`;

-- Whole files, as stored (see profile.sql), through `darklog key`.
CREATE OR REPLACE TEMPORARY VIEW keyed AS
SELECT TRANSFORM (idx, path, base64(content))
  ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
  USING 'python3 stage.py key ${flags}'
  AS (visitor STRING, time STRING, seq STRING, line STRING)
  ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
FROM (SELECT /*+ BROADCAST(f) */ f.idx, l.path, l.content
      FROM binaryFile.`${logs}` l JOIN files f ON l.path = f.path);

-- Each visitor's lines in one of ${partitions} partitions (a hint: neither the shuffle
-- settings nor adaptive execution change the number), in time order (seq breaks ties:
-- engines' sorts are not stable); each partition through `darklog partial`. An empty
-- partition gives no row: it has nothing to merge.
SELECT TRANSFORM (visitor, time, seq, line)
  ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
  USING 'python3 stage.py partial ${profile} ${flags}'
  AS (state STRING)
FROM (SELECT /*+ REPARTITION(${partitions}, visitor) */ * FROM keyed SORT BY time, seq);
