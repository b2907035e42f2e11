using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace CdcLake.Hudi.Internal;

/// <summary>A DynamoDB lock item this process wrote; the protocol is described atop DynamoDbLockProvider.cs.</summary>
internal sealed class DynamoDbTableLock : HeldTableLock
{
    private readonly IAmazonDynamoDB _client;
    private readonly DynamoDbLockOptions _options;
    private string _recordVersion;

    // Versions heartbeats tried to write whose replies never came: one of them may be the stored one.
    // Only the heartbeat loop and then the release (never both at once) touch it.
    private readonly List<string> _unconfirmedVersions = [];

    private DynamoDbTableLock(IAmazonDynamoDB client, DynamoDbLockOptions options, string tableKey, string owner, string recordVersion, long sentAt)
        : base(tableKey, owner, LocationOf(options.TableName, tableKey), options.LeaseDuration, options.EffectiveHeartbeatPeriod, sentAt)
    {
        _client = client;
        _options = options;
        _recordVersion = recordVersion;
    }

    /// <summary>The version last written by this lock (tests compare it with the item).</summary>
    public string RecordVersion => Volatile.Read(ref _recordVersion);

    public static string LocationOf(string table, string partitionKey) => $"dynamodb://{table}/{partitionKey}";

    public static DynamoDbTableLock Start(IAmazonDynamoDB client, DynamoDbLockOptions options, string tableKey, string owner, string recordVersion, long sentAt)
    {
        var held = new DynamoDbTableLock(client, options, tableKey, owner, recordVersion, sentAt);
        held.StartHeartbeat();
        return held;
    }

    protected override async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        var next = DynamoDbLockItem.NewRecordVersionNumber();
        var request = new UpdateItemRequest
        {
            TableName = _options.TableName,
            Key = DynamoDbLockItem.Key(TableKey),
            ConditionExpression = DynamoDbLockItem.OwnedCondition,
            UpdateExpression = DynamoDbLockItem.HeartbeatUpdate,
            ExpressionAttributeNames = new()
            {
                [DynamoDbLockItem.PkPath] = DynamoDbLockItem.PartitionKey,
                [DynamoDbLockItem.LeasePath] = DynamoDbLockItem.LeaseDuration,
                [DynamoDbLockItem.RvnPath] = DynamoDbLockItem.RecordVersionNumber,
                [DynamoDbLockItem.OwnerPath] = DynamoDbLockItem.OwnerName,
            },
            ExpressionAttributeValues = new()
            {
                [DynamoDbLockItem.RvnValue] = DynamoDbLockItem.S(RecordVersion),
                [DynamoDbLockItem.OwnerValue] = DynamoDbLockItem.S(Owner),
                [DynamoDbLockItem.NewRvnValue] = DynamoDbLockItem.S(next),
                [DynamoDbLockItem.LeaseValue] = DynamoDbLockItem.S(_options.LeaseMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            },
        };

        try
        {
            await _client.UpdateItemAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            if (await AdoptUnconfirmedAsync(cancellationToken).ConfigureAwait(false))
            {
                return await RenewAsync(cancellationToken).ConfigureAwait(false);
            }

            return false;
        }
        catch (Exception)
        {
            if (_unconfirmedVersions.Count == 16)
            {
                _unconfirmedVersions.RemoveAt(0);
            }

            _unconfirmedVersions.Add(next);
            throw;
        }

        Volatile.Write(ref _recordVersion, next);
        _unconfirmedVersions.Clear();
        return true;
    }

    protected override async Task ReleaseCoreAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var names = new Dictionary<string, string>
            {
                [DynamoDbLockItem.PkPath] = DynamoDbLockItem.PartitionKey,
                [DynamoDbLockItem.RvnPath] = DynamoDbLockItem.RecordVersionNumber,
                [DynamoDbLockItem.OwnerPath] = DynamoDbLockItem.OwnerName,
            };
            var values = new Dictionary<string, AttributeValue>
            {
                [DynamoDbLockItem.RvnValue] = DynamoDbLockItem.S(RecordVersion),
                [DynamoDbLockItem.OwnerValue] = DynamoDbLockItem.S(Owner),
            };
            try
            {
                if (_options.DeleteOnRelease)
                {
                    await _client.DeleteItemAsync(
                        new DeleteItemRequest
                        {
                            TableName = _options.TableName,
                            Key = DynamoDbLockItem.Key(TableKey),
                            ConditionExpression = DynamoDbLockItem.OwnedCondition,
                            ExpressionAttributeNames = names,
                            ExpressionAttributeValues = values,
                        },
                        cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    names[DynamoDbLockItem.ReleasedPath] = DynamoDbLockItem.IsReleased;
                    values[DynamoDbLockItem.ReleasedValue] = DynamoDbLockItem.S(DynamoDbLockItem.IsReleasedValue);
                    await _client.UpdateItemAsync(
                        new UpdateItemRequest
                        {
                            TableName = _options.TableName,
                            Key = DynamoDbLockItem.Key(TableKey),
                            ConditionExpression = DynamoDbLockItem.OwnedCondition,
                            UpdateExpression = DynamoDbLockItem.ReleaseUpdate,
                            ExpressionAttributeNames = names,
                            ExpressionAttributeValues = values,
                        },
                        cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (ConditionalCheckFailedException)
            {
                // Not ours any more (taken over after our lease ran out): nothing to release, as in the Java client.
                if (!await AdoptUnconfirmedAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>After a failed condition: whether a heartbeat whose reply was lost did land, in which case its version is now ours.</summary>
    private async Task<bool> AdoptUnconfirmedAsync(CancellationToken cancellationToken)
    {
        if (_unconfirmedVersions.Count == 0)
        {
            return false;
        }

        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = _options.TableName, Key = DynamoDbLockItem.Key(TableKey), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        var state = DynamoDbLockState.From(response.Item);
        var landed = state is { IsReleased: false } && state.Owner == Owner && _unconfirmedVersions.Contains(state.RecordVersionNumber);
        _unconfirmedVersions.Clear();
        if (landed)
        {
            Volatile.Write(ref _recordVersion, state!.RecordVersionNumber);
        }

        return landed;
    }
}
